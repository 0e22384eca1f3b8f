import { ExecutionContext, Injectable } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Reflector } from '@nestjs/core';
import { trace } from '@opentelemetry/api';
import { resolveError } from '../errors/resolve-error';
import { serverStreamCalls } from '../grpc/grpc.server';
import type { StepOutcome } from '../http/pipeline.interceptor';
import { grpcCodeName, MetricsService } from './metrics.service';

const NOTHING: StepOutcome = { done: () => undefined };

/**
 * gRPC call metrics (the go-grpc-prometheus set), the outermost step of the request pipeline
 * (PipelineInterceptor). HTTP requests are measured at the adapter edge instead (HttpMetrics), so
 * that those Nest never hands to a handler are counted too.
 */
@Injectable()
export class MetricsInterceptor {
  private readonly routes = new WeakMap<object, string>();

  constructor(
    private readonly metrics: MetricsService,
    private readonly reflector: Reflector,
  ) {}

  start(context: ExecutionContext): StepOutcome {
    if (context.getType() === 'rpc') {
      const started = performance.now();
      const call = context.getArgByIndex<{ getPath?(): string } | undefined>(2);
      const [, service = 'unknown', method = context.getHandler().name] = (call?.getPath?.() ?? '').split('/');
      const labels = {
        grpc_type: call && serverStreamCalls.has(call) ? 'server_stream' : 'unary',
        grpc_service: service,
        grpc_method: method,
      };
      this.metrics.grpcStarted.inc(labels);
      this.metrics.grpcInFlight.inc();
      const record = (code: string) => {
        this.metrics.grpcInFlight.dec();
        this.metrics.grpcHandled.inc({ ...labels, grpc_code: code });
        this.metrics.grpcDuration.observe(labels, (performance.now() - started) / 1e3);
      };
      return {
        done: (error?: unknown) =>
          record(grpcCodeName(error === undefined ? GrpcStatus.OK : resolveError(error).grpcStatus)),
        cancelled: () => record(grpcCodeName(GrpcStatus.CANCELLED)),
      };
    }
    // HTTP metrics are taken at the adapter edge (HttpMetrics). When tracing, the HTTP server span
    // is named by the route template here, where Nest knows it (OpenTelemetry semconv).
    const span = trace.getActiveSpan();
    if (span) {
      const route = this.routeOf(context);
      span
        .setAttribute('http.route', route)
        .updateName(`${context.switchToHttp().getRequest<{ method: string }>().method} ${route}`);
    }
    return NOTHING;
  }

  private routeOf(context: ExecutionContext): string {
    const handler = context.getHandler();
    let found = this.routes.get(handler);
    if (found === undefined) {
      const base = String(this.reflector.get<string>(PATH_METADATA, context.getClass()) ?? '');
      const path = String(this.reflector.get<string>(PATH_METADATA, handler) ?? '');
      const route = `/${[base, path]
        .map((part) => part.replace(/^\/+|\/+$/g, ''))
        .filter(Boolean)
        .join('/')}`;
      found = route;
      this.routes.set(handler, found);
    }
    return found;
  }
}
