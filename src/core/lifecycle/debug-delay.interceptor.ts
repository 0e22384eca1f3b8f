import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { mergeMap, Observable, timer } from 'rxjs';

export const DEBUG_DELAY_HEADER = 'x-debug-delay-ms';
const MAX_DELAY_MS = 60_000;

/**
 * Test-only latency knob, installed only when NODE_ENV=test: `x-debug-delay-ms` (header or
 * metadata) delays the handler, so lifecycle tests can hold requests in flight across a SIGTERM.
 */
@Injectable()
export class DebugDelayInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const raw: unknown =
      context.getType() === 'rpc'
        ? context.getArgByIndex<Metadata | undefined>(1)?.get(DEBUG_DELAY_HEADER)[0]
        : context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers[DEBUG_DELAY_HEADER];
    const delay = Math.min(Number(raw ?? 0) || 0, MAX_DELAY_MS);
    return delay > 0 ? timer(delay).pipe(mergeMap(() => next.handle())) : next.handle();
  }
}
