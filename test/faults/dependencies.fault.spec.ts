import { status } from '@grpc/grpc-js';
import Redis from 'ioredis';
import request from 'supertest';
import { grpcError } from '../support/grpc-client';
import { createHealthClient } from '../support/grpc-extras';
import { eventually } from '../support/http';
import { PrivatePostgres } from '../support/private-postgres';
import { PrivateRedis } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Dependencies going away and coming back under a running service, with real servers stopped
 * and started: Postgres is critical (not ready, fail fast, recover by itself), Redis is not
 * (ready, degraded, caching resumes).
 */

const ready = (t: TestApp) => async () => (await request(t.httpUrl).get('/readyz')).status === 200;
const notReady = (t: TestApp) => async () => (await request(t.httpUrl).get('/readyz')).status === 503;

async function assertUnavailable(t: TestApp, knownId: string) {
  const created = await request(t.httpUrl).post('/users').send({ name: 'X', email: 'x@down.test', age: 1 });
  expect(created.status).toBe(503);
  expect(created.body).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
  expect((await request(t.httpUrl).get('/users').query({ limit: 5 })).status).toBe(503);
  // Writes with an idempotency key too: their transaction goes through the same breaker.
  const keyed = await request(t.httpUrl)
    .post('/users')
    .set('Idempotency-Key', `down-${Date.now()}`)
    .send({ name: 'X', email: 'x@down.test', age: 1 });
  expect(keyed.status).toBe(503);
  const exported = await request(t.httpUrl).get('/users/export');
  expect(exported.status).toBe(503);
  expect(exported.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect((await grpcError(t.client.listUsers({ pageSize: 1 }))).code).toBe(status.UNAVAILABLE);
  expect((await grpcError(t.client.updateUser({ id: knownId, age: 3 }))).code).toBe(status.UNAVAILABLE);
  // Liveness never depends on the database.
  await request(t.httpUrl).get('/healthz').expect(200);
}

describe('Postgres stopped and restarted under a running service', () => {
  let pg: PrivatePostgres;
  let t: TestApp;
  beforeAll(async () => {
    pg = await PrivatePostgres.create();
    pg.start();
    t = await startTestApp({
      DATABASE_URL: pg.url,
      DATABASE_MIGRATE_ON_START: 'true',
      DATABASE_CONNECT_TIMEOUT_MS: '30000',
    });
  });
  afterAll(async () => {
    await t?.close();
    pg?.destroy();
  });

  it('turns not ready, fails fast with UNAVAILABLE, and recovers by itself', async () => {
    const health = createHealthClient(t.grpcAddress);
    try {
      const user = await request(t.httpUrl)
        .post('/users')
        .send({ name: 'Before', email: 'before@down.test', age: 1 })
        .expect(201);
      await eventually(ready(t));
      expect(await health.check('user.v1.UserService')).toBe('SERVING');

      pg.stop();
      await eventually(notReady(t));
      const report = await request(t.httpUrl).get('/readyz');
      expect(report.body.details.database.status).toBe('down');
      await eventually(async () => (await health.check('')) === 'NOT_SERVING');
      await assertUnavailable(t, user.body.id);

      pg.start();
      await eventually(ready(t));
      await eventually(async () => (await health.check('user.v1.UserService')) === 'SERVING');
      // The circuit breaker lets traffic through again after its half-open delay.
      await eventually(async () => (await request(t.httpUrl).get(`/users/${user.body.id}`)).status === 200);
      const read = await request(t.httpUrl).get(`/users/${user.body.id}`).expect(200);
      expect(read.body.email).toBe('before@down.test');
      await request(t.httpUrl).post('/users').send({ name: 'After', email: 'after@down.test', age: 2 }).expect(201);
    } finally {
      health.close();
    }
  });
});

describe('Postgres down at boot', () => {
  let pg: PrivatePostgres;
  let t: TestApp;
  beforeAll(async () => {
    pg = await PrivatePostgres.create();
    t = await startTestApp({ DATABASE_URL: pg.url, DATABASE_MIGRATE_ON_START: 'true' });
  });
  afterAll(async () => {
    await t?.close();
    pg?.destroy();
  });

  it('starts anyway, serves liveness, is not ready, then migrates and becomes ready when it appears', async () => {
    await request(t.httpUrl).get('/healthz').expect(200);
    await request(t.httpUrl).get('/readyz').expect(503);
    const health = createHealthClient(t.grpcAddress);
    try {
      expect(await health.check('')).toBe('NOT_SERVING');
      await assertUnavailable(t, '01890000-0000-7000-8000-000000000000');

      pg.start();
      await eventually(ready(t));
      await eventually(async () => (await health.check('')) === 'SERVING');
      await eventually(
        async () =>
          (await request(t.httpUrl).post('/users').send({ name: 'Late', email: 'late@boot.test', age: 1 })).status ===
          201,
      );
    } finally {
      health.close();
    }
  });
});

describe('Redis down at boot', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await PrivateRedis.reserve();
    t = await startTestApp({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'boot:' });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.kill();
  });

  it('is ready and degraded, serves from the database, and caches once Redis appears', async () => {
    const ready = await request(t.httpUrl).get('/readyz').expect(200);
    expect(ready.body.details.cache).toMatchObject({ backend: 'redis', available: false, degraded: true });
    const created = await request(t.httpUrl)
      .post('/users')
      .send({ name: 'R', email: 'r@boot.test', age: 1 })
      .expect(201);
    await request(t.httpUrl).get(`/users/${created.body.id}`).expect(200);

    await redis.restart();
    await eventually(async () => (await request(t.httpUrl).get('/readyz')).body.details.cache.available === true);
    await request(t.httpUrl).get(`/users/${created.body.id}`).expect(200);
    const probe = new Redis(redis.url);
    try {
      expect(await probe.exists(`boot:users:v1:${created.body.id}`)).toBe(1);
    } finally {
      probe.disconnect();
    }
  });
});
