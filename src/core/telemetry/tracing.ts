import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { IncomingMessage } from 'node:http';
import type { Env } from '../config/env.schema';
import { routeOf } from '../http/route';

/** Requests that are not traced: probes and scrapes would drown the traces people look for. */
const UNTRACED_HTTP_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
/** gRPC health and reflection; the instrumentation matches server calls by method name only. */
const UNTRACED_GRPC_METHODS = ['Check', 'Watch', 'ServerReflectionInfo'];

export interface Tracing {
  /** Exports what is still buffered and stops; the last teardown step before the logger. */
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. Spans for HTTP and gRPC
 * (server and client), Postgres queries (pg) and Redis commands (ioredis); the W3C `traceparent`
 * is accepted from HTTP headers and gRPC metadata and sent on outgoing calls. Log lines of a
 * traced request carry `trace_id` and `span_id` (see LoggingModule).
 *
 * Instrumentation works by patching modules as they are loaded, so this must run before anything
 * loads http, @grpc/grpc-js, pg or ioredis: main.ts calls it before it loads the app. The SDK
 * itself is loaded only when tracing is on, so it costs nothing at boot otherwise.
 */
export async function startTracing(env: Env, exporter?: SpanExporter): Promise<Tracing | undefined> {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint && !exporter) return undefined;
  const [
    { trace },
    { OTLPTraceExporter },
    { registerInstrumentations },
    { GrpcInstrumentation },
    { HttpInstrumentation },
    { IORedisInstrumentation },
    { PgInstrumentation },
    { resourceFromAttributes },
    { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler },
    { NodeTracerProvider },
    { ATTR_SERVICE_NAME },
  ] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-grpc'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-ioredis'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME }),
    // A caller's sampling decision wins; root spans are sampled at OTEL_TRACES_SAMPLER_RATIO.
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(env.OTEL_TRACES_SAMPLER_RATIO) }),
    spanProcessors: [
      new BatchSpanProcessor(exporter ?? new OTLPTraceExporter({ url: `${endpoint!.replace(/\/$/, '')}/v1/traces` })),
    ],
  });
  // Registers the AsyncLocalStorage context manager and the W3C trace-context + baggage propagators.
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_HTTP_PATHS.has((request.url ?? '').split('?')[0]!),
        // Server spans are named by the route template the framework matched, as the metrics label.
        applyCustomAttributesOnSpan: (span, request) => {
          const route = routeOf(request as IncomingMessage); // undefined for client requests
          if (route) span.setAttribute('http.route', route).updateName(`${request.method} ${route}`);
        },
      }),
      new GrpcInstrumentation({ ignoreGrpcMethods: UNTRACED_GRPC_METHODS }),
      // Only queries made on behalf of a traced request; the readiness probe's would be noise.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  return {
    shutdown: async () => {
      unregister();
      await provider.shutdown();
      trace.disable();
    },
  };
}
