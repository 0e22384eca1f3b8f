import Redis from 'ioredis';
import { CacheService } from '../../src/core/cache/cache.service';
import { RedisCacheStore } from '../../src/core/cache/redis.cache-store';
import { deleteRedisPrefix, REDIS_URL, uniqueName } from '../support/infra';
import { eventually } from '../support/http';
import { PrivateRedis } from '../support/redis-server';

const config = (redisUrl: string, keyPrefix: string) => ({
  redisUrl,
  keyPrefix,
  commandTimeoutMs: 250,
  ttlSeconds: 30,
  maxItems: 100,
});

describe('RedisCacheStore on the real Redis', () => {
  const prefix = `${uniqueName('cache')}:`;
  let store: RedisCacheStore;

  beforeAll(async () => {
    store = new RedisCacheStore({ url: REDIS_URL, keyPrefix: prefix, commandTimeoutMs: 250 });
    expect(await store.waitUntilReady(2000)).toBe(true);
  });
  afterAll(async () => {
    await store.close();
    await deleteRedisPrefix(REDIS_URL, prefix);
  });

  it('stores under its prefix with a TTL, reads and deletes', async () => {
    await store.set('k1', '"v1"', 30);
    expect(await store.get('k1')).toBe('"v1"');
    const ttl = await store.client.ttl('k1');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
    const plain = new Redis(REDIS_URL);
    try {
      expect(await plain.get(`${prefix}k1`)).toBe('"v1"');
    } finally {
      plain.disconnect();
    }
    await store.delete('k1');
    expect(await store.get('k1')).toBeUndefined();
  });

  it('backs CacheService cache-aside', async () => {
    const cache = new CacheService(store, config(REDIS_URL, prefix));
    let loads = 0;
    const load = async () => {
      loads++;
      return { n: 1 };
    };
    expect(await cache.getOrLoad('aside', load)).toEqual({ n: 1 });
    expect(await cache.getOrLoad('aside', load)).toEqual({ n: 1 });
    expect(loads).toBe(1);
    await cache.invalidate('aside');
    await cache.getOrLoad('aside', load);
    expect(loads).toBe(2);
  });
});

describe('Redis stopped mid-test', () => {
  it('never fails a cache call, and caching resumes when Redis is back', async () => {
    const redis = await PrivateRedis.start();
    const store = new RedisCacheStore({ url: redis.url, keyPrefix: 't:', commandTimeoutMs: 250 });
    const cache = new CacheService(store, config(redis.url, 't:'));
    try {
      expect(await store.waitUntilReady(2000)).toBe(true);
      let loads = 0;
      const load = async () => ({ loaded: ++loads });
      await cache.getOrLoad('x', load);
      await cache.getOrLoad('x', load);
      expect(loads).toBe(1);

      await redis.kill();
      // Each call falls back to the loader instead of failing or waiting for Redis.
      for (let i = 0; i < 5; i++) expect(await cache.getOrLoad('x', load)).toEqual({ loaded: loads });
      expect(loads).toBe(6);
      await cache.invalidate('x');
      // ioredis notices the dead connection asynchronously.
      await eventually(async () => !store.isAvailable());
      expect(cache.stats.errors).toBeGreaterThanOrEqual(10);

      await redis.restart();
      expect(await store.waitUntilReady(10_000)).toBe(true);
      await cache.getOrLoad('y', load);
      const before = loads;
      await cache.getOrLoad('y', load);
      expect(loads).toBe(before);
    } finally {
      await store.close();
      await redis.kill();
    }
  });
});
