import { Metadata, status } from '@grpc/grpc-js';
import request from 'supertest';
import { decodeStatusDetails } from '../../src/core/errors/grpc-status-details';
import { grpcError } from '../support/grpc-client';
import { deleteRedisPrefix, freePort, REDIS_URL, uniqueName } from '../support/infra';
import { startTestApp, TestApp } from '../support/test-app';

const anonymousLimited = { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_BURST: '5', RATE_LIMIT_PER_SECOND: '1' };
/** Authenticated callers are limited per principal (their API key), anonymous ones per address. */
const limited = {
  ...anonymousLimited,
  AUTH_MODE: 'api-key',
  AUTH_API_KEYS: 'http-client,someone-else,grpc-client,shared-client,open',
};
const apiKey = (key: string) => {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${key}`);
  return metadata;
};

describe('rate limiting on one instance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(limited);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets a burst through, limits the next HTTP request with 429 + Retry-After, and refills', async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(t.httpUrl).get('/users').set('authorization', 'Bearer http-client').expect(200);
      expect(res.headers['ratelimit-limit']).toBe('5');
      remaining.push(res.headers['ratelimit-remaining'] as string);
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    const over = await request(t.httpUrl).get('/users').set('authorization', 'Bearer http-client').expect(429);
    expect(over.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(over.body).toMatchObject({ status: 429, code: 'RESOURCE_EXHAUSTED' });
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(over.headers['ratelimit-remaining']).toBe('0');
    // Another client has its own bucket.
    await request(t.httpUrl).get('/users').set('authorization', 'Bearer someone-else').expect(200);
    // One token comes back after a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await request(t.httpUrl).get('/users').set('authorization', 'Bearer http-client').expect(200);
    await request(t.httpUrl).get('/users').set('authorization', 'Bearer http-client').expect(429);
  });

  it('limits gRPC callers the same way, with RetryInfo', async () => {
    for (let i = 0; i < 5; i++) await t.client.listUsers({ pageSize: 1 }, apiKey('grpc-client'));
    const error = await grpcError(t.client.listUsers({ pageSize: 1 }, apiKey('grpc-client')));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(decodeStatusDetails(error.metadata).retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('never limits the health probes', async () => {
    for (let i = 0; i < 20; i++) await request(t.httpUrl).get('/healthz').expect(200);
    for (let i = 0; i < 20; i++) await request(t.httpUrl).get('/readyz').expect(200);
  });
});

describe('rate limiting anonymous callers', () => {
  it('keys them by address: neither X-Forwarded-For from an untrusted peer nor made-up keys get a new bucket', async () => {
    const t = await startTestApp(anonymousLimited);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await request(t.httpUrl)
          .get('/users')
          .set('x-forwarded-for', `203.0.113.${i}`)
          .set('x-api-key', `random-${i}`);
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    } finally {
      await t.close();
    }
  });
});

describe('rate limiting behind a trusted proxy', () => {
  it('keys clients by the X-Forwarded-For hop the proxy added', async () => {
    const t = await startTestApp({ ...anonymousLimited, TRUST_PROXY_HOPS: '1' });
    try {
      for (let i = 0; i < 10; i++) {
        await request(t.httpUrl).get('/users').set('x-forwarded-for', `spoofed, 198.51.100.${i}`).expect(200);
      }
      for (let i = 0; i < 5; i++) await request(t.httpUrl).get('/users').set('x-forwarded-for', '198.51.100.99');
      await request(t.httpUrl).get('/users').set('x-forwarded-for', '198.51.100.99').expect(429);
    } finally {
      await t.close();
    }
  });
});

describe('rate limiting across replicas', () => {
  it('enforces one limit for two instances sharing Redis', async () => {
    const prefix = `${uniqueName('rl')}:`;
    const shared = {
      ...limited,
      RATE_LIMIT_BURST: '10',
      RATE_LIMIT_PER_SECOND: '0.01',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
    };
    const a = await startTestApp(shared);
    const b = await startTestApp(shared);
    try {
      let accepted = 0;
      for (let i = 0; i < 30; i++) {
        const target = i % 2 === 0 ? a : b;
        const res = await request(target.httpUrl).get('/users').set('authorization', 'Bearer shared-client');
        if (res.status === 200) accepted++;
        else expect(res.status).toBe(429);
      }
      expect(accepted).toBe(10);
    } finally {
      await a.close();
      await b.close();
      await deleteRedisPrefix(REDIS_URL, prefix);
    }
  });

  it('fails open when the Redis store is unreachable', async () => {
    const t = await startTestApp({ ...limited, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    try {
      for (let i = 0; i < 12; i++)
        await request(t.httpUrl).get('/users').set('authorization', 'Bearer open').expect(200);
      for (let i = 0; i < 12; i++) await t.client.listUsers({ pageSize: 1 }, apiKey('open'));
    } finally {
      await t.close();
    }
  });
});
