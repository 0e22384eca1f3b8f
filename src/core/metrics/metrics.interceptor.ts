import { ExecutionContext, Injectable } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { resolveError } from '../errors/resolve-error';
import { serverStreamCalls } from '../grpc/grpc.server';
import type { StepOutcome } from '../grpc/pipeline.interceptor';
import { grpcCodeName, MetricsService } from './metrics.service';

/**
 * gRPC call metrics (the go-grpc-prometheus set), the outermost step of the request pipeline
 * (PipelineInterceptor). HTTP requests are measured at the adapter edge instead (HttpMetrics), so
 * that those Nest never hands to a handler are counted too.
 */
@Injectable()
export class MetricsInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  start(context: ExecutionContext): StepOutcome {
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
}
