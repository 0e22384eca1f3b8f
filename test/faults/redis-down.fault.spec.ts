import Redis from 'ioredis';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';
import { PrivateRedis } from '../support/redis-server';

/** The cache is optional: Redis killed under a running app degrades it, never fails a request. */
describe('Redis killed and restarted under a running app', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let probe: Redis;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    t = await startTestApp({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'fault:' });
    probe = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => 100 });
  });
  afterAll(async () => {
    probe?.disconnect();
    await t?.close();
    await redis?.kill();
  });

  it('keeps serving from the database and recovers the cache', async () => {
    const created = await request(t.httpUrl)
      .post('/users')
      .send({ name: 'Cached', email: 'cached@fault.test', age: 9 })
      .expect(201);
    const id = created.body.id as string;
    await request(t.httpUrl).get(`/users/${id}`).expect(200);
    await probe.connect();
    expect(await probe.exists(`fault:users:v1:${id}`)).toBe(1);
    probe.disconnect();

    await redis.kill();
    await request(t.httpUrl).get(`/users/${id}`).expect(200);
    await request(t.httpUrl).patch(`/users/${id}`).send({ age: 10 }).expect(200);
    const read = await request(t.httpUrl).get(`/users/${id}`).expect(200);
    expect(read.body.age).toBe(10);
    const { response } = await t.client.getUser({ id });
    expect(response.user!.age).toBe(10);
    await request(t.httpUrl).post('/users').send({ name: 'New', email: 'new@fault.test', age: 1 }).expect(201);

    const ready = await request(t.httpUrl).get('/readyz').expect(200);
    expect(ready.body.details.cache).toMatchObject({
      status: 'up',
      backend: 'redis',
      available: false,
      degraded: true,
    });

    await redis.restart();
    let available = false;
    for (let i = 0; i < 100 && !available; i++) {
      const res = await request(t.httpUrl).get('/readyz');
      available = res.body.details.cache.available === true;
      if (!available) await new Promise((r) => setTimeout(r, 100));
    }
    expect(available).toBe(true);
    await request(t.httpUrl).get(`/users/${id}`).expect(200);
    const again = new Redis(redis.url);
    try {
      // The fresh server started empty; the read above cached the user again.
      expect(await again.exists(`fault:users:v1:${id}`)).toBe(1);
    } finally {
      again.disconnect();
    }
  });
});
