import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { storage } from 'nestjs-pino/storage';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { lazyLogStore } from './log-store';

/**
 * HTTP request ids and access lines, for whichever adapter calls it (see http-adapter.ts). One
 * line per request when its response closes, with the fields pino-http wrote (`requestId`, `req`,
 * `res`, `durationMs`), at info / warn (4xx) / error (5xx). The rest of the request runs with a
 * nestjs-pino store whose `requestId` child logger is created only if something logs
 * (lazyLogStore): a pino child per request was a measurable share of the request's cost.
 */
@Injectable()
export class HttpAccessLog {
  private readonly root: Logger;

  constructor(pino: PinoLogger) {
    // Outside any request, PinoLogger.logger is the root logger.
    this.root = pino.logger;
  }

  /** Call when the request enters the app: its access line is written when the response closes. */
  track(request: IncomingMessage, response: ServerResponse, requestId: string): void {
    const started = Date.now();
    response.once('close', () => this.write(request, response, requestId, Date.now() - started));
  }

  /** Runs `next` (the rest of the request) with the request's logger in nestjs-pino's store. */
  run(requestId: string, next: () => void): void {
    storage.run(lazyLogStore(this.root, { requestId }), next);
  }

  private write(request: IncomingMessage, response: ServerResponse, requestId: string, durationMs: number): void {
    const { method, url, headers } = request;
    const status = response.statusCode;
    const line = { requestId, req: { method, url, headers }, res: { statusCode: status }, durationMs };
    if (status >= 500) this.root.error(line, `${method} ${url} ${status}`);
    else if (status >= 400) this.root.warn(line, `${method} ${url} ${status} ${durationMs}ms`);
    else this.root.info(line, `${method} ${url} ${status} ${durationMs}ms`);
  }
}
