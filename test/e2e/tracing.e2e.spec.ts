import { Metadata } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUserClient } from '../support/grpc-client';
import { httpRequest } from '../support/http';
import { createTestDatabase, deleteRedisPrefix, REDIS_URL, uniqueName } from '../support/infra';
import { isReadyLine, startService, stopService } from '../support/service-process';

/** A span as OTLP/HTTP JSON carries it. */
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}
const SERVER = 2;

/**
 * An OTLP/HTTP collector that keeps what it receives in memory: the service under test exports
 * to it exactly as it would to a real OpenTelemetry collector.
 */
async function startCollector(): Promise<{ url: string; spans: Span[]; server: Server }> {
  const spans: Span[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const payload = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] };
      for (const resource of payload.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

const message = (prefix: string) => (line: Record<string, unknown>) =>
  typeof line.msg === 'string' && line.msg.startsWith(prefix);
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const attribute = (span: Span, key: string) => span.attributes.find((a) => a.key === key)?.value;

/** Tracing needs Postgres and Redis for their spans: this spec always runs against the real ones. */
async function startTracedService(extra: Record<string, string>) {
  const database = await createTestDatabase();
  const prefix = `${uniqueName('trace')}:`;
  const { service, http, grpc } = await startService({
    DATABASE_URL: database.url,
    DATABASE_MIGRATE_ON_START: 'true',
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    SHUTDOWN_DELAY_MS: '0',
    ...extra,
  });
  return {
    service,
    http,
    grpc,
    cleanup: async () => {
      await stopService(service);
      await database.drop();
      await deleteRedisPrefix(REDIS_URL, prefix);
    },
  };
}

describe('OpenTelemetry tracing', () => {
  it('traces HTTP, gRPC, Postgres and Redis, continues the caller trace, and stamps the logs', async () => {
    const collector = await startCollector();
    const app = await startTracedService({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    const client = createUserClient(app.grpc);
    const httpTrace = { traceId: hex(16), parentId: hex(8) };
    const grpcTrace = { traceId: hex(16), parentId: hex(8) };
    let userId: string;
    try {
      const created = await httpRequest(`${app.http}/users`, {
        method: 'POST',
        body: { name: 'Traced', email: 'traced@example.com', age: 30 },
      });
      expect(created.status).toBe(201);
      userId = (JSON.parse(created.body) as { id: string }).id;

      // W3C traceparent over HTTP: a cache miss, so Redis and Postgres are both involved.
      const got = await httpRequest(`${app.http}/users/${userId}`, {
        headers: { traceparent: `00-${httpTrace.traceId}-${httpTrace.parentId}-01` },
      });
      expect(got.status).toBe(200);

      // ...and over gRPC metadata.
      const metadata = new Metadata();
      metadata.set('traceparent', `00-${grpcTrace.traceId}-${grpcTrace.parentId}-01`);
      await client.getUser({ id: userId }, metadata);
      expect((await httpRequest(`${app.http}/healthz`)).status).toBe(200);
    } finally {
      client.close();
      // Buffered spans are exported during teardown, before the process exits.
      await app.cleanup();
      collector.server.close();
    }
    expect(await app.service.exited).toEqual({ code: 0, signal: null });

    const inTrace = (traceId: string) => collector.spans.filter((span) => span.traceId === traceId);
    // HTTP: the server span is the child of the caller's span; the queries are its descendants.
    const httpSpans = inTrace(httpTrace.traceId);
    const httpServer = httpSpans.find((span) => span.kind === SERVER && span.parentSpanId === httpTrace.parentId);
    expect(httpServer, JSON.stringify(httpSpans.map((s) => s.name))).toBeDefined();
    expect(httpServer!.name).toBe('GET /users/:id');
    expect(attribute(httpServer!, 'http.route')).toEqual({ stringValue: '/users/:id' });
    const systems = httpSpans.map((span) => attribute(span, 'db.system.name')?.stringValue);
    expect(systems).toContain('postgresql');
    expect(systems).toContain('redis');
    const ids = new Set(httpSpans.map((span) => span.spanId));
    for (const span of httpSpans.filter((s) => s !== httpServer)) expect(ids.has(span.parentSpanId!)).toBe(true);

    // gRPC: the same, from metadata.
    const grpcSpans = inTrace(grpcTrace.traceId);
    const grpcServer = grpcSpans.find((span) => span.kind === SERVER && span.parentSpanId === grpcTrace.parentId);
    expect(grpcServer?.name).toBe('grpc.user.v1.UserService/GetUser');
    expect(grpcSpans.some((span) => attribute(span, 'db.system.name')?.stringValue === 'redis')).toBe(true);

    // Probes are not traced; queries outside any request (readiness probe, migrations) neither.
    expect(collector.spans.some((span) => JSON.stringify(span.attributes).includes('/healthz'))).toBe(false);
    expect(collector.spans.filter((span) => !span.parentSpanId).every((span) => span.kind === SERVER)).toBe(true);

    // Every log line of a traced request carries its trace id, access lines included.
    const getLine = app.service.logs().find(message(`GET /users/${userId!} `));
    expect(getLine).toMatchObject({
      trace_id: httpTrace.traceId,
      span_id: httpServer!.spanId,
    });
    const grpcLine = app.service
      .logs()
      .find((line) => typeof line.msg === 'string' && line.msg.includes('GetUser') && line.trace_id);
    expect(grpcLine).toMatchObject({ trace_id: grpcTrace.traceId });
  });

  it('is off unless an OTLP endpoint is configured: no spans, no trace ids in the logs', async () => {
    const app = await startTracedService({});
    try {
      const response = await httpRequest(`${app.http}/users?limit=1`, {
        headers: { traceparent: `00-${hex(16)}-${hex(8)}-01` },
      });
      expect(response.status).toBe(200);
      const line = await app.service.waitForLog(message('GET /users?limit=1 '));
      expect(line).not.toHaveProperty('trace_id');
      expect(app.service.logs().find(isReadyLine)?.msg).not.toContain('tracing on');
    } finally {
      await app.cleanup();
    }
  });
});
