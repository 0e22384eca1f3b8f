import { ExecutionContext, Injectable } from '@nestjs/common';
import { Metadata, status } from '@grpc/grpc-js';
import { PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { storage } from 'nestjs-pino/storage';
import { resolveError } from '../errors/resolve-error';
import { flushResponseHeaders, setResponseHeader } from '../grpc/response-headers';
import type { StepOutcome } from '../grpc/pipeline.interceptor';
import { lazyLogStore } from './log-store';
import { acceptOrCreateRequestId, REQUEST_ID_HEADER } from './request-id';

/** The part of a grpc-js server call this step touches. */
interface GrpcCall {
  sendMetadata(metadata: Metadata): void;
  getPeer?(): string;
  getPath?(): string;
}

/**
 * The gRPC request id and access line (HTTP's are HttpAccessLog's), a step of PipelineInterceptor:
 * the id is taken from `x-request-id` metadata or generated, echoed in the response headers, and
 * bound to every log line the handler writes (same AsyncLocalStorage nestjs-pino uses for HTTP,
 * child logger created only if the handler logs); the access line carries the same bindings.
 */
@Injectable()
export class GrpcLoggingInterceptor {
  private readonly root: Logger;

  constructor(pino: PinoLogger) {
    // Outside any request, PinoLogger.logger is the root logger: access lines are written from it.
    this.root = pino.logger;
  }

  start(context: ExecutionContext): StepOutcome & { run(work: () => void): void } {
    const metadata = context.getArgByIndex<Metadata | undefined>(1);
    const call = context.getArgByIndex<GrpcCall | undefined>(2);
    const requestId = acceptOrCreateRequestId(metadata?.get(REQUEST_ID_HEADER));
    const method = call?.getPath?.() ?? `${context.getClass().name}.${context.getHandler().name}`;
    const root = this.root;
    const bindings = { requestId, grpc: { method, peer: call?.getPeer?.() } };
    if (call) setResponseHeader(call, REQUEST_ID_HEADER, requestId);
    const flush = () => call && flushResponseHeaders(call);
    const started = performance.now();
    const elapsedMs = () => performance.now() - started;
    return {
      run: (work) => storage.run(lazyLogStore(root, bindings), work),
      next: flush,
      done: (error?: unknown) => {
        flush();
        if (error === undefined) {
          root.info({ ...bindings, grpcCode: 0, code: 'OK', durationMs: elapsedMs() }, `${method} OK`);
          return;
        }
        const resolved = resolveError(error);
        const line = { ...bindings, grpcCode: resolved.grpcStatus, code: resolved.code, durationMs: elapsedMs() };
        if (resolved.unexpected) root.error(line, `${method} ${resolved.code}`);
        else root.warn(line, `${method} ${resolved.code}`);
      },
      cancelled: () =>
        root.warn(
          { ...bindings, grpcCode: status.CANCELLED, code: 'CANCELLED', durationMs: elapsedMs() },
          `${method} CANCELLED`,
        ),
    };
  }
}
