import { ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
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
 * A step of PipelineInterceptor (which keeps the timer). Every request has a deadline: the
 * caller's gRPC deadline when it set one (capped by REQUEST_TIMEOUT_MS), REQUEST_TIMEOUT_MS for HTTP. Past it the caller gets 504 /
 * DEADLINE_EXCEEDED, and the database query under way is cancelled by Postgres itself
 * (statement_timeout set from the time left, see DatabaseBreaker).
 */
@Injectable()
export class DeadlineInterceptor {
  private readonly longRunning = new WeakMap<object, boolean>();

  constructor(
    @Inject(protectionConfig.KEY) private readonly config: ConfigType<typeof protectionConfig>,
    private readonly reflector: Reflector,
  ) {}

  /** The call's deadline (epoch ms), or undefined for a @LongRunning() handler. */
  of(context: ExecutionContext): number | undefined {
    const handler = context.getHandler();
    let exempt = this.longRunning.get(handler);
    if (exempt === undefined) {
      exempt = this.reflector.get<boolean>(LONG_RUNNING, handler) === true;
      this.longRunning.set(handler, exempt);
    }
    if (exempt) return undefined;
    let deadline = Date.now() + this.config.requestTimeoutMs;
    if (context.getType() === 'rpc') {
      const callerDeadline = context.getArgByIndex<{ getDeadline?(): Date | number } | undefined>(2)?.getDeadline?.();
      const ms = callerDeadline instanceof Date ? callerDeadline.getTime() : Number(callerDeadline);
      if (Number.isFinite(ms) && ms > 0) deadline = Math.min(deadline, ms);
    }
    return deadline;
  }

  /** Runs the handler with its deadline visible to what it calls (Deadline.remainingMs()). */
  run<T>(deadline: number, work: () => T): T {
    return Deadline.run(deadline, work);
  }

  /** The error a call gets when its deadline passes before its first response. */
  exceeded(): AppError {
    return new AppError(ErrorCode.DEADLINE_EXCEEDED, 'The request did not complete within its deadline');
  }
}
