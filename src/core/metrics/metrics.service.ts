import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The service's Prometheus metrics, in a registry of its own (several apps in one test process
 * must not share one). gRPC metric names are the ones go-grpc-prometheus made standard.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'HTTP request duration, by route template',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly httpInFlight = new Gauge({
    name: 'http_server_requests_in_flight',
    help: 'HTTP requests being handled',
    registers: [this.registry],
  });
  readonly grpcStarted = new Counter({
    name: 'grpc_server_started_total',
    help: 'RPCs started on the server',
    labelNames: ['grpc_type', 'grpc_service', 'grpc_method'],
    registers: [this.registry],
  });
  readonly grpcHandled = new Counter({
    name: 'grpc_server_handled_total',
    help: 'RPCs completed on the server, by status code',
    labelNames: ['grpc_type', 'grpc_service', 'grpc_method', 'grpc_code'],
    registers: [this.registry],
  });
  readonly grpcDuration = new Histogram({
    name: 'grpc_server_handling_seconds',
    help: 'RPC handling time',
    labelNames: ['grpc_type', 'grpc_service', 'grpc_method'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly grpcInFlight = new Gauge({
    name: 'grpc_server_calls_in_flight',
    help: 'RPCs being handled',
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused by the rate limiter',
    labelNames: ['transport'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A counter whose running total lives elsewhere and is read when Prometheus scrapes. */
  counter(name: string, help: string, labelNames: string[], read: () => [Record<string, string>, number][]): void {
    new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [labels, value] of read()) this.inc(labels, value);
      },
    });
  }

  /** A gauge whose value is read when Prometheus scrapes (dependency state, pool sizes, ...). */
  gauge(name: string, help: string, labelNames: string[], read: () => [Record<string, string>, number][]): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [labels, value] of read()) this.set(labels, value);
      },
    });
  }
}

/**
 * `grpc_code` label values as go-grpc-prometheus writes them (Go's `codes.Code.String()`), so
 * dashboards and alerts made for it (`grpc_code!="OK"`) work unchanged.
 */
const GRPC_CODE_NAMES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
] as const;

export function grpcCodeName(code: number): string {
  return GRPC_CODE_NAMES[code] ?? `Code(${code})`;
}
