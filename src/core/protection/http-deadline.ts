import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { ServerResponse } from 'node:http';
import { protectionConfig } from '../config/config';
import { Problem, toProblem } from '../errors/errors.filter';
import { resolveError } from '../errors/resolve-error';
import { markAnsweredEarly } from '../http/reply';
import { Deadline } from './deadline';

/**
 * HTTP's request deadline, opened at the edge (see http-adapter.ts) once the body is read:
 * REQUEST_TIMEOUT_MS later, a request whose response has not started is answered 504
 * problem+json, and the database query it waits for is cancelled by Postgres itself
 * (statement_timeout set from the time left, see DatabaseBreaker). Whatever the handler answers
 * after that is dropped. A @LongRunning() handler (a stream) lifts it.
 * At the edge rather than in a Nest interceptor: an interceptor costs every request Nest's
 * interceptor machinery (two AsyncResource.bind and rxjs), which was most of its cost.
 */
@Injectable()
export class HttpDeadline {
  constructor(@Inject(protectionConfig.KEY) private readonly config: ConfigType<typeof protectionConfig>) {}

  /**
   * Runs `next` (the rest of the request) under the deadline; `answer` writes a problem+json
   * answer through the adapter.
   */
  run(response: ServerResponse, requestId: string, answer: (problem: Problem) => void, next: () => void): void {
    const passed = () => {
      if (response.headersSent || response.writableEnded) return;
      markAnsweredEarly(response);
      answer(toProblem(resolveError(Deadline.exceeded()), requestId));
    };
    Deadline.run(Date.now() + this.config.requestTimeoutMs, passed, (deadline) => {
      response.once('close', () => deadline.clear());
      next();
    });
  }
}
