import { CacheService } from './cache.service';
import { MemoryCacheStore } from './memory.cache-store';
import type { DatabaseClient } from '../database/database.client';

const config = { redisUrl: undefined, keyPrefix: '', commandTimeoutMs: 100, ttlSeconds: 60, maxItems: 100 };

describe('CacheService inside a transaction', () => {
  it('invalidates again after the commit, so a read between write and commit cannot stick', async () => {
    const hooks: (() => Promise<void>)[] = [];
    const database = {
      onCommit: async (hook: () => Promise<void>) => void hooks.push(hook),
    } as unknown as DatabaseClient;
    const store = new MemoryCacheStore(10);
    const cache = new CacheService(store, config, database);

    await cache.invalidate('users:v1:1'); // the write, still uncommitted
    // Later, before the commit: the tombstone has expired and a read cached the old row.
    await store.delete('users:v1:1');
    await cache.getOrLoad('users:v1:1', async () => ({ age: 'old' }));
    expect(hooks).toHaveLength(1);

    for (const hook of hooks) await hook(); // the commit
    let loads = 0;
    expect(await cache.getOrLoad('users:v1:1', async () => ({ age: `new ${++loads}` }))).toEqual({ age: 'new 1' });
  });
});
