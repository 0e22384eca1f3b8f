import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { protectionConfig } from '../config/config';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';

/**
 * The gRPC step of PipelineInterceptor (which keeps the timer; HTTP's deadline is HttpDeadline, at
 * the edge). Every call has a deadline: the caller's when it set one, capped by
 * REQUEST_TIMEOUT_MS. Past it the caller gets DEADLINE_EXCEEDED, and the database query under way
 * is cancelled by Postgres itself (statement_timeout set from the time left, see DatabaseBreaker).
 */
@Injectable()
export class DeadlineInterceptor {
  constructor(@Inject(protectionConfig.KEY) private readonly config: ConfigType<typeof protectionConfig>) {}

  /** The call's deadline (epoch ms). */
  of(context: ExecutionContext): number {
    const deadline = Date.now() + this.config.requestTimeoutMs;
    const callerDeadline = context.getArgByIndex<{ getDeadline?(): Date | number } | undefined>(2)?.getDeadline?.();
    const ms = callerDeadline instanceof Date ? callerDeadline.getTime() : Number(callerDeadline);
    return Number.isFinite(ms) && ms > 0 ? Math.min(deadline, ms) : deadline;
  }

  /** The error a call gets when its deadline passes before its first response. */
  exceeded(): AppError {
    return exceededError();
  }
}

/** What a caller gets when its deadline passes before its first response, on both transports. */
export function exceededError(): AppError {
  return new AppError(ErrorCode.DEADLINE_EXCEEDED, 'The request did not complete within its deadline');
}
