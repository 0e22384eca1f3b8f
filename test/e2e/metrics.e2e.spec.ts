import { ClientReadableStream, Metadata, status } from '@grpc/grpc-js';
import request from 'supertest';
import { grpcError } from '../support/grpc-client';
import { ReadinessService } from '../../src/core/lifecycle/readiness.service';
import { eventually } from '../support/http';
import { freePort } from '../support/infra';
import { startTestApp, TestApp } from '../support/test-app';

const MISSING = '01890000-0000-7000-8000-0000000000ff';

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_BURST: '1000', RATE_LIMIT_PER_SECOND: '1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('exposes request, RPC, cache, database, readiness and process metrics in Prometheus format', async () => {
    const created = await request(t.httpUrl).post('/users').send({ name: 'M', email: 'm@metrics.test', age: 1 });
    await request(t.httpUrl).get(`/users/${created.body.id}`).expect(200);
    await request(t.httpUrl).get(`/users/${created.body.id}`).expect(200);
    await request(t.httpUrl).get(`/users/${MISSING}`).expect(404);
    await t.client.getUser({ id: created.body.id });
    expect((await grpcError(t.client.getUser({ id: MISSING }))).code).toBe(status.NOT_FOUND);

    const res = await request(t.httpUrl).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toMatch(
      /http_server_request_duration_seconds_count\{method="GET",route="\/users\/:id",status="200"\} 2/,
    );
    expect(text).toMatch(
      /http_server_request_duration_seconds_count\{method="GET",route="\/users\/:id",status="404"\} 1/,
    );
    expect(text).toMatch(/http_server_request_duration_seconds_count\{method="POST",route="\/users",status="201"\} 1/);
    // Route templates only: no raw id ever becomes a label value.
    expect(text).not.toContain(`route="/users/${created.body.id}"`);
    const rpc = 'grpc_type="unary",grpc_service="user.v1.UserService",grpc_method="GetUser"';
    expect(text).toContain(`grpc_server_started_total{${rpc}} 2`);
    expect(text).toContain(`grpc_server_handled_total{${rpc},grpc_code="OK"} 1`);
    expect(text).toContain(`grpc_server_handled_total{${rpc},grpc_code="NotFound"} 1`);
    expect(text).toMatch(new RegExp(`grpc_server_handling_seconds_count\\{${rpc}\\} 2`));
    // The scrape itself is the one HTTP request in flight; every RPC has finished.
    expect(text).toContain('http_server_requests_in_flight 1');
    expect(text).toContain('grpc_server_calls_in_flight 0');
    expect(text).toMatch(/cache_operations_total\{result="hit"\} [1-9]/);
    expect(text).toMatch(/cache_operations_total\{result="miss"\} [1-9]/);
    expect(text).toContain('service_ready 1');
    expect(text).toContain('service_shutting_down 0');
    expect(text).toContain('db_up 1');
    expect(text).toContain('db_circuit_open 0');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});

describe('a gRPC call its caller cancels', () => {
  it('leaves the in-flight gauge and is counted as Canceled', async () => {
    const t = await startTestApp();
    try {
      const scrape = async () => (await request(t.httpUrl).get('/metrics').expect(200)).text;
      const metadata = new Metadata();
      metadata.set('x-debug-delay-ms', '10000');
      const raw = t.client.raw as unknown as Record<
        string,
        (req: object, md: Metadata) => ClientReadableStream<unknown>
      >;
      const call = raw.exportUsers!({ afterId: '' }, metadata);
      call.on('error', () => undefined);
      await eventually(async () => (await scrape()).includes('grpc_server_calls_in_flight 1'));
      call.cancel();
      await eventually(async () => (await scrape()).includes('grpc_server_calls_in_flight 0'));
      expect(await scrape()).toContain(
        'grpc_server_handled_total{grpc_type="server_stream",grpc_service="user.v1.UserService",grpc_method="ExportUsers",grpc_code="Canceled"} 1',
      );
    } finally {
      await t.close();
    }
  });
});

describe('requests Nest never hands to a handler', () => {
  it('are counted too: refused by auth, unknown routes, bodies the parser rejects, oversized metadata', async () => {
    const t = await startTestApp({
      AUTH_MODE: 'api-key',
      AUTH_API_KEYS: 'metrics-key',
      GRPC_MAX_METADATA_BYTES: '1024',
    });
    try {
      // gRPC calls are measured where they enter the server, before the guards and the metadata limit.
      expect((await grpcError(t.client.listUsers({}))).code).toBe(status.UNAUTHENTICATED);
      const oversized = new Metadata();
      oversized.set('authorization', 'Bearer metrics-key');
      oversized.set('x-padding', 'p'.repeat(2048));
      expect((await grpcError(t.client.listUsers({}, oversized))).code).toBe(status.RESOURCE_EXHAUSTED);
      await request(t.httpUrl).get('/users').expect(401);
      await request(t.httpUrl).get('/no/such/path/123').expect(404);
      const malformed = await request(t.httpUrl)
        .post('/users')
        .set('authorization', 'Bearer metrics-key')
        .set('content-type', 'application/json')
        .send('{"name": ')
        .expect(400);
      // It got its request id where it entered, before any parser could refuse it.
      expect(malformed.body.requestId).toBe(malformed.headers['x-request-id']);
      expect(malformed.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      const text = (await request(t.httpUrl).get('/metrics').expect(200)).text;
      expect(text).toMatch(/http_server_request_duration_seconds_count\{method="GET",route="\/users",status="401"\} 1/);
      for (const code of ['Unauthenticated', 'ResourceExhausted'])
        expect(text).toContain(
          `grpc_server_handled_total{grpc_type="unary",grpc_service="user.v1.UserService",grpc_method="ListUsers",grpc_code="${code}"} 1`,
        );
      // No raw path ever becomes a label: what no route matched is counted as one series.
      expect(text).toMatch(
        /http_server_request_duration_seconds_count\{method="GET",route="\(unmatched\)",status="404"\} 1/,
      );
      expect(text).not.toContain('/no/such/path');
      // Express rejects the body before routing, Fastify after: the route is known only on Fastify.
      expect(text).toMatch(
        /http_server_request_duration_seconds_count\{method="POST",route="(\/users|\(unmatched\))",status="400"\} 1/,
      );
    } finally {
      await t.close();
    }
  });
});

describe('statuses a handler sets itself', () => {
  it('are what the request duration is labelled with (/readyz 503 while shutting down)', async () => {
    const t = await startTestApp();
    try {
      t.app.get(ReadinessService).beginShutdown();
      await request(t.httpUrl).get('/readyz').expect(503);
      const text = (await request(t.httpUrl).get('/metrics').expect(200)).text;
      expect(text).toMatch(
        /http_server_request_duration_seconds_count\{method="GET",route="\/readyz",status="503"\} 1/,
      );
      expect(text).not.toMatch(/route="\/readyz",status="200"/);
    } finally {
      await t.close();
    }
  });
});

describe('rate-limit rejections', () => {
  it('are counted per transport', async () => {
    const t = await startTestApp({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_BURST: '2', RATE_LIMIT_PER_SECOND: '0.01' });
    try {
      for (let i = 0; i < 4; i++) await request(t.httpUrl).get('/users');
      for (let i = 0; i < 3; i++) await t.client.listUsers({}).catch(() => undefined);
      const text = (await request(t.httpUrl).get('/metrics').expect(200)).text;
      expect(text).toContain('rate_limit_rejections_total{transport="http"} 2');
      expect(text).toMatch(/rate_limit_rejections_total\{transport="grpc"\} [1-9]/);
    } finally {
      await t.close();
    }
  });
});

describe('management access', () => {
  it('requires a bearer token for /metrics when MANAGEMENT_ACCESS=authenticated', async () => {
    const t = await startTestApp({
      AUTH_MODE: 'api-key',
      AUTH_API_KEYS: 'ops-key-123',
      MANAGEMENT_ACCESS: 'authenticated',
    });
    try {
      await request(t.httpUrl).get('/metrics').expect(401);
      await request(t.httpUrl).get('/metrics').set('authorization', 'Bearer ops-key-123').expect(200);
    } finally {
      await t.close();
    }
  });

  it('turns /metrics off when MANAGEMENT_ACCESS=hidden', async () => {
    const t = await startTestApp({ MANAGEMENT_ACCESS: 'hidden' });
    try {
      await request(t.httpUrl).get('/metrics').expect(404);
    } finally {
      await t.close();
    }
  });
});

describe('METRICS_PORT', () => {
  it('moves /metrics to a port of its own, with the same access rules, closed at shutdown', async () => {
    const port = await freePort();
    const t = await startTestApp({
      METRICS_PORT: String(port),
      MANAGEMENT_ACCESS: 'authenticated',
      AUTH_MODE: 'api-key',
      AUTH_API_KEYS: 'metrics-key',
    });
    const metricsUrl = `http://127.0.0.1:${port}`;
    try {
      await request(t.httpUrl).get('/users').set('authorization', 'Bearer metrics-key').expect(200);
      // Not on the HTTP port any more.
      await request(t.httpUrl).get('/metrics').set('authorization', 'Bearer metrics-key').expect(404);
      // The same answer as on the HTTP port: 401 problem+json.
      await request(metricsUrl)
        .get('/metrics')
        .expect(401)
        .expect('content-type', /^application\/problem\+json/);
      const scrape = await request(metricsUrl).get('/metrics').set('authorization', 'Bearer metrics-key').expect(200);
      expect(scrape.headers['content-type']).toMatch(/^text\/plain/);
      expect(scrape.text).toMatch(
        /http_server_request_duration_seconds_count\{method="GET",route="\/users",status="200"\} 1/,
      );
      await request(metricsUrl).get('/other').expect(404);
    } finally {
      await t.close();
    }
    await expect(request(metricsUrl).get('/metrics')).rejects.toThrow(/ECONNREFUSED/);
  });
});
