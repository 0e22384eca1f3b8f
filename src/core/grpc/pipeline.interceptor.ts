import { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Observable, Subscription } from 'rxjs';
import type { GrpcLoggingInterceptor } from '../logging/grpc-logging.interceptor';
import type { MetricsInterceptor } from '../metrics/metrics.interceptor';
import { Deadline } from '../protection/deadline';
import type { DeadlineInterceptor } from '../protection/deadline.interceptor';
import type { RateLimiter } from '../protection/rate-limiter';

/** What a step wants to hear about the outcome of the call it started. */
export interface StepOutcome {
  /** A response message (gRPC: flush the response headers before it). */
  next?(): void;
  /** The call ended, with `error` when it failed. */
  done(error?: unknown): void;
  /** The caller went away first (gRPC: the call was cancelled): no response will be sent. */
  cancelled?(): void;
}

/**
 * The request pipeline of gRPC as one interceptor, registered for the gRPC transport only
 * (HTTP's runs at the adapter's edge, see http-adapter.ts): metrics, request id + access log, rate
 * limit, deadline, then validation (pipes) and the handler. Metrics come first so they time the
 * whole call, rejections included; the deadline comes before validation so it bounds it too. Nest
 * wraps every interceptor's `next.handle()` in AsyncResource.bind and rxjs plumbing, and each step
 * used to add operators of its own (tap, from + switchMap, timeout + catchError): per request that
 * was most of the pipeline's cost. Here the steps are plain calls and one Observable carries the
 * call: one subscription to the handler, one timer.
 */
export class PipelineInterceptor implements NestInterceptor {
  constructor(
    private readonly metrics: MetricsInterceptor,
    private readonly logging: GrpcLoggingInterceptor,
    private readonly rateLimit: RateLimiter,
    private readonly deadline: DeadlineInterceptor,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return new Observable((subscriber) => {
      const measured = this.metrics.start(context);
      const logged = this.logging.start(context);
      let inner: Subscription | undefined;
      let timer: NodeJS.Timeout | undefined;
      let finished = false;
      const finish = (error?: unknown) => {
        if (finished || subscriber.closed) return;
        finished = true;
        if (timer) clearTimeout(timer);
        logged.done(error);
        measured.done(error);
        if (error === undefined) subscriber.complete();
        else subscriber.error(error);
      };
      const handle = () => {
        if (subscriber.closed) return;
        const at = this.deadline.of(context);
        Deadline.run(at, (deadline) => {
          timer = setTimeout(
            () => {
              timer = undefined;
              // A @LongRunning() handler (a stream) has lifted it: only the caller's own deadline ends it.
              if (!deadline.applies) return;
              inner?.unsubscribe();
              finish(this.deadline.exceeded());
            },
            Math.max(0, at - Date.now()),
          );
          inner = next.handle().subscribe({
            next: (value) => {
              if (timer) timer = void clearTimeout(timer);
              logged.next?.();
              subscriber.next(value);
            },
            error: (error: unknown) => finish(error),
            complete: () => finish(),
          });
        });
      };
      const admit = () => {
        try {
          const admitted = this.rateLimit.admit(context);
          if (admitted) admitted.then(handle, finish);
          else handle();
        } catch (error) {
          finish(error);
        }
      };
      logged.run(admit);
      return () => {
        if (timer) clearTimeout(timer);
        inner?.unsubscribe();
        // Unsubscribed before an outcome (Nest does so when a gRPC caller cancels): still account for it.
        if (!finished) {
          finished = true;
          logged.cancelled?.();
          measured.cancelled?.();
        }
      };
    });
  }
}
