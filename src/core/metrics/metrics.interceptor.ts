import { ExecutionContext, HttpStatus, Injectable, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { trace } from '@opentelemetry/api';
import { resolveError } from '../errors/resolve-error';
import { serverStreamCalls } from '../grpc/grpc.server';
import type { StepOutcome } from '../http/pipeline.interceptor';
import { grpcCodeName, MetricsService } from './metrics.service';

/**
 * Request metrics for both transports, the outermost step of the request pipeline
 * (PipelineInterceptor). The HTTP route label is the template (`/users/:id`) read from Nest's own
 * route metadata, so it is the same under Express and Fastify and never a raw path.
 */
@Injectable()
export class MetricsInterceptor {
  private readonly routes = new WeakMap<object, { route: string; okStatus: number }>();

  constructor(
    private readonly metrics: MetricsService,
    private readonly reflector: Reflector,
  ) {}

  start(context: ExecutionContext): StepOutcome {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1e3;
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
      return {
        done: (error?: unknown) => {
          this.metrics.grpcInFlight.dec();
          this.metrics.grpcHandled.inc({
            ...labels,
            grpc_code: grpcCodeName(error === undefined ? 0 : resolveError(error).grpcStatus),
          });
          this.metrics.grpcDuration.observe(labels, seconds());
        },
      };
    }
    const { route, okStatus } = this.routeOf(context);
    const method = context.switchToHttp().getRequest<{ method: string }>().method;
    // When tracing, the HTTP server span is named by the route template too (OpenTelemetry semconv).
    trace.getActiveSpan()?.setAttribute('http.route', route).updateName(`${method} ${route}`);
    this.metrics.httpInFlight.inc();
    // A handler may set its own status (`/readyz` answers 503 that way); otherwise the route's.
    const response = context.switchToHttp().getResponse<{ statusCode?: number }>();
    return {
      done: (error?: unknown) => {
        this.metrics.httpInFlight.dec();
        const status =
          error !== undefined
            ? resolveError(error).httpStatus
            : response.statusCode !== undefined && response.statusCode !== 200
              ? response.statusCode
              : okStatus;
        this.metrics.httpDuration.observe({ method, route, status: String(status) }, seconds());
      },
    };
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
