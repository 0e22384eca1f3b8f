import { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';

/**
 * The request pipeline's steps as one global interceptor. Nest wraps every interceptor's
 * `next.handle()` in AsyncResource.bind, which costs measurably per request and per interceptor;
 * chaining the steps here pays it once. Order is the pipeline's (DESIGN.md): first step outermost.
 */
export class PipelineInterceptor implements NestInterceptor {
  constructor(private readonly steps: NestInterceptor[]) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const run = (index: number): Observable<unknown> => {
      const step = this.steps[index];
      if (!step) return next.handle();
      return step.intercept(context, { handle: () => run(index + 1) }) as Observable<unknown>;
    };
    return run(0);
  }
}
