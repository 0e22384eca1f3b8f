import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { trace } from '@opentelemetry/api';
import { Observable, tap } from 'rxjs';
import { resolveError } from '../errors/resolve-error';
import { serverStreamCalls } from '../grpc/grpc.server';
import { grpcCodeName, MetricsService } from './metrics.service';

/**
 * Request metrics for both transports, the outermost step of the request pipeline. The HTTP
 * route label is the template (`/users/:id`) read from Nest's own route metadata, so it is the
 * same under Express and Fastify and never a raw path.
 */
@Injectable()
export class MetricsInterceptor implements NestInterceptor {
  private readonly routes = new WeakMap<object, { route: string; okStatus: number }>();

  constructor(
    private readonly metrics: MetricsService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    if (context.getType() === 'rpc') {
      const call = context.getArgByIndex<{ getPath?(): string } | undefined>(2);
      const [, service = 'unknown', method = context.getHandler().name] = (call?.getPath?.() ?? '').split('/');
      const labels = {
        grpc_type: call && serverStreamCalls.has(call) ? 'server_stream' : 'unary',
        grpc_service: service,
        grpc_method: method,
      };
      this.metrics.grpcStarted.inc(labels);
      this.metrics.grpcInFlight.inc();
      const done = (code: number) => {
        this.metrics.grpcInFlight.dec();
        this.metrics.grpcHandled.inc({ ...labels, grpc_code: grpcCodeName(code) });
        this.metrics.grpcDuration.observe(labels, seconds());
      };
      return next
        .handle()
        .pipe(tap({ complete: () => done(0), error: (error: unknown) => done(resolveError(error).grpcStatus) }));
    }
    const { route, okStatus } = this.routeOf(context);
    const method = context.switchToHttp().getRequest<{ method: string }>().method;
    // When tracing, the HTTP server span is named by the route template too (OpenTelemetry semconv).
    trace.getActiveSpan()?.setAttribute('http.route', route).updateName(`${method} ${route}`);
    this.metrics.httpInFlight.inc();
    const done = (status: number) => {
      this.metrics.httpInFlight.dec();
      this.metrics.httpDuration.observe({ method, route, status: String(status) }, seconds());
    };
    // A handler may set its own status (`/readyz` answers 503 that way); otherwise the route's.
    const response = context.switchToHttp().getResponse<{ statusCode?: number }>();
    const statusOf = () =>
      response.statusCode !== undefined && response.statusCode !== 200 ? response.statusCode : okStatus;
    return next
      .handle()
      .pipe(tap({ complete: () => done(statusOf()), error: (error: unknown) => done(resolveError(error).httpStatus) }));
  }

  private routeOf(context: ExecutionContext): { route: string; okStatus: number } {
    const handler = context.getHandler();
    let found = this.routes.get(handler);
    if (!found) {
      const base = String(this.reflector.get<string>(PATH_METADATA, context.getClass()) ?? '');
      const path = String(this.reflector.get<string>(PATH_METADATA, handler) ?? '');
      const route = `/${[base, path]
        .map((part) => part.replace(/^\/+|\/+$/g, ''))
        .filter(Boolean)
        .join('/')}`;
      const requestMethod = this.reflector.get<RequestMethod>(METHOD_METADATA, handler);
      const okStatus =
        this.reflector.get<number>(HTTP_CODE_METADATA, handler) ??
        (requestMethod === RequestMethod.POST ? HttpStatus.CREATED : HttpStatus.OK);
      found = { route, okStatus };
      this.routes.set(handler, found);
    }
    return found;
  }
}
