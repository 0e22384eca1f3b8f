import { GrpcOptions, Transport } from '@nestjs/microservices';
import { GrpcConfig } from '../config/config';
import { PROTO_LOADER_OPTIONS } from './proto';

/** Every service this process serves; a new feature adds its proto file and package here. */
export const GRPC_SERVICES = [{ package: 'user.v1', protoPath: 'user/v1/user.proto' }];

export function grpcServerOptions(config: GrpcConfig): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      url: `${config.host}:${config.port}`,
      package: GRPC_SERVICES.map((s) => s.package),
      protoPath: GRPC_SERVICES.map((s) => s.protoPath),
      loader: PROTO_LOADER_OPTIONS,
      gracefulShutdown: true,
      // Oversized messages are refused by grpc-js with RESOURCE_EXHAUSTED (metadata: AppGrpcServer).
      maxReceiveMessageLength: config.maxMessageBytes,
      maxSendMessageLength: config.maxMessageBytes,
    },
  };
}
