import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/**
 * The grpc-js call object of the current RPC (third handler argument), for handlers that write
 * a server stream themselves to respect flow control.
 */
export const GrpcCall = createParamDecorator((_data: unknown, context: ExecutionContext): unknown =>
  context.getArgByIndex<unknown>(2),
);
