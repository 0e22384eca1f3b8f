import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { Observable, TimeoutError, catchError, throwError, timeout } from 'rxjs';
import { protectionConfig } from '../config/config';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { Deadline } from './deadline';

const LONG_RUNNING = 'deadline:long-running';

/**
 * Exempts a streaming handler (an export) from REQUEST_TIMEOUT_MS: a stream lasts as long as its
 * reader reads. A gRPC caller's own deadline still ends it (grpc-js cancels the call).
 */
export const LongRunning = () => SetMetadata(LONG_RUNNING, true);

/**
 * Every request has a deadline: the caller's gRPC deadline when it set one (capped by
 * REQUEST_TIMEOUT_MS), REQUEST_TIMEOUT_MS for HTTP. Past it the caller gets 504 /
 * DEADLINE_EXCEEDED, and the database query under way is cancelled by Postgres itself
 * (statement_timeout set from the time left, see DatabaseBreaker).
 */
@Injectable()
export class DeadlineInterceptor implements NestInterceptor {
  constructor(
    @Inject(protectionConfig.KEY) private readonly config: ConfigType<typeof protectionConfig>,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.get<boolean>(LONG_RUNNING, context.getHandler())) return next.handle();
    const now = Date.now();
    let deadline = now + this.config.requestTimeoutMs;
    if (context.getType() === 'rpc') {
      const callerDeadline = context.getArgByIndex<{ getDeadline?(): Date | number } | undefined>(2)?.getDeadline?.();
      const ms = callerDeadline instanceof Date ? callerDeadline.getTime() : Number(callerDeadline);
      if (Number.isFinite(ms) && ms > 0) deadline = Math.min(deadline, ms);
    }
    return new Observable((subscriber) =>
      Deadline.run(deadline, () =>
        next
          .handle()
          .pipe(
            timeout({ first: Math.max(0, deadline - now) }),
            catchError((error: unknown) =>
              throwError(() =>
                error instanceof TimeoutError
                  ? new AppError(ErrorCode.DEADLINE_EXCEEDED, 'The request did not complete within its deadline')
                  : error,
              ),
            ),
          )
          .subscribe(subscriber),
      ),
    );
  }
}
