import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Metadata } from '@grpc/grpc-js';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { Observable } from 'rxjs';
import { resolveError } from '../errors/resolve-error';
import { flushResponseHeaders, setResponseHeader } from '../grpc/response-headers';
import { acceptOrCreateRequestId, REQUEST_ID_HEADER } from './request-id';

/** The part of a grpc-js server call this interceptor touches. */
interface GrpcCall {
  sendMetadata(metadata: Metadata): void;
  getPeer?(): string;
  getPath?(): string;
}

/**
 * pino-http never sees RPCs, so gRPC gets its request id and access log here: the id is taken
 * from `x-request-id` metadata or generated, echoed in the response headers, and bound to every
 * log line the handler writes (same AsyncLocalStorage nestjs-pino uses for HTTP).
 */
@Injectable()
export class GrpcLoggingInterceptor implements NestInterceptor {
  constructor(@InjectPinoLogger('gRPC') private readonly pino: PinoLogger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const metadata = context.getArgByIndex<Metadata | undefined>(1);
    const call = context.getArgByIndex<GrpcCall | undefined>(2);
    const requestId = acceptOrCreateRequestId(metadata?.get(REQUEST_ID_HEADER));
    const method = call?.getPath?.() ?? `${context.getClass().name}.${context.getHandler().name}`;
    const logger = this.pino.logger.child({ requestId, grpc: { method, peer: call?.getPeer?.() } });
    if (call) setResponseHeader(call, REQUEST_ID_HEADER, requestId);
    const flush = () => call && flushResponseHeaders(call);
    const started = process.hrtime.bigint();
    const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;

    return new Observable((subscriber) =>
      storage.run(new Store(logger), () =>
        next.handle().subscribe({
          next: (value) => {
            flush();
            subscriber.next(value);
          },
          error: (error: unknown) => {
            flush();
            const resolved = resolveError(error);
            const line = { grpcCode: resolved.grpcStatus, code: resolved.code, durationMs: elapsedMs() };
            if (resolved.unexpected) logger.error(line, `${method} ${resolved.code}`);
            else logger.warn(line, `${method} ${resolved.code}`);
            subscriber.error(error);
          },
          complete: () => {
            flush();
            logger.info({ grpcCode: 0, code: 'OK', durationMs: elapsedMs() }, `${method} OK`);
            subscriber.complete();
          },
        }),
      ),
    );
  }
}
