import { Injectable } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { PinoLogger } from 'nestjs-pino';
import { storage } from 'nestjs-pino/storage';
import type { Logger } from 'pino';
import { setResponseHeader } from '../grpc/response-headers';
import { lazyLogStore } from './log-store';
import { acceptOrCreateRequestId, REQUEST_ID_HEADER } from './request-id';

/** The part of a grpc-js server call the access log reads. */
interface LoggedCall {
  metadata: Metadata;
  getPeer(): string;
  sendMetadata(metadata: Metadata): void;
}

/** How a call ended, as the access line and the metrics report it. */
export interface GrpcOutcome {
  /** The gRPC status code. */
  grpcCode: number;
  /** The error code of the table (NOT_FOUND, ...), or the status' name. */
  code: string;
  /** An error the service did not expect (logged at error level). */
  unexpected: boolean;
}

/**
 * gRPC request ids and access lines (HTTP's are HttpAccessLog's), for AppGrpcServer: the id is
 * taken from `x-request-id` metadata or generated, echoed in the response headers, and bound to
 * every log line the handler writes (the AsyncLocalStorage nestjs-pino uses for HTTP; the child
 * logger is created only if the handler logs). One line per call when it ends, at info (OK), warn
 * or error (unexpected).
 */
@Injectable()
export class GrpcAccessLog {
  private readonly root: Logger;

  constructor(pino: PinoLogger) {
    // Outside any request, PinoLogger.logger is the root logger: access lines are written from it.
    this.root = pino.logger;
  }

  /** Call when the call enters: `run` runs its handler with its logger, `done` writes its line. */
  start(call: LoggedCall, method: string): { run<T>(work: () => T): T; done(outcome: GrpcOutcome): void } {
    const requestId = acceptOrCreateRequestId(call.metadata.get(REQUEST_ID_HEADER));
    setResponseHeader(call, REQUEST_ID_HEADER, requestId);
    const bindings = { requestId, grpc: { method, peer: call.getPeer() } };
    const started = performance.now();
    const root = this.root;
    return {
      run: (work) => storage.run(lazyLogStore(root, bindings), work),
      done: ({ grpcCode, code, unexpected }) => {
        const line = { ...bindings, grpcCode, code, durationMs: performance.now() - started };
        if (grpcCode === 0) root.info(line, `${method} OK`);
        else if (unexpected) root.error(line, `${method} ${code}`);
        else root.warn(line, `${method} ${code}`);
      },
    };
  }
}
