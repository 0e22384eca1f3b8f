import { Injectable } from '@nestjs/common';
import { grpcCodeName, MetricsService } from './metrics.service';

/** The labels every series of a gRPC method shares (go-grpc-prometheus' names). */
export interface GrpcMethodLabels {
  grpc_type: 'unary' | 'client_stream' | 'server_stream' | 'bidi_stream';
  grpc_service: string;
  grpc_method: string;
}

/**
 * gRPC call metrics (the go-grpc-prometheus set), taken where the call enters the server (see
 * AppGrpcServer), so that every call is counted with the status it really ended with: those
 * refused by a guard (auth, rate limit) or by the metadata limit, cut by the deadline or the
 * drain, cancelled by the caller.
 */
@Injectable()
export class GrpcMetrics {
  constructor(private readonly metrics: MetricsService) {}

  /** Call when the call enters: in flight until the returned function gets its status code. */
  track(labels: GrpcMethodLabels): (code: number) => void {
    const started = performance.now();
    this.metrics.grpcStarted.inc(labels);
    this.metrics.grpcInFlight.inc();
    return (code) => {
      this.metrics.grpcInFlight.dec();
      this.metrics.grpcHandled.inc({ ...labels, grpc_code: grpcCodeName(code) });
      this.metrics.grpcDuration.observe(labels, (performance.now() - started) / 1e3);
    };
  }
}
