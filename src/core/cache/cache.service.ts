import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { cacheConfig } from '../config/config';
import { DatabaseClient } from '../database/database.client';
import { CacheStore } from './cache.store';

/**
 * What an invalidated key holds for a few seconds: a marker that reads treat as a miss and that
 * keeps a read which loaded the old row before the write from caching it after the write.
 */
const TOMBSTONE = '\u0000invalidated';
export const TOMBSTONE_SECONDS = 5;

/**
 * Cache-aside for services. The cache is an optimisation, never a dependency: every store
 * failure is logged and treated as a miss (reads) or skipped (writes), so requests are served
 * from the database while the cache is down. Invalidations that fail are kept and retried, and
 * their keys bypass the cache until then, so an entry cached before an outage is not served
 * after it.
 */
@Injectable()
export class CacheService {
  private readonly logger = new Logger(CacheService.name);
  private readonly pendingInvalidations = new Set<string>();
  readonly stats = { hits: 0, misses: 0, errors: 0 };

  constructor(
    private readonly store: CacheStore,
    @Inject(cacheConfig.KEY) private readonly config: ConfigType<typeof cacheConfig>,
    /** When present, invalidations are repeated after the surrounding transaction commits. */
    @Optional() private readonly database?: DatabaseClient,
  ) {}

  /** Returns the cached value for `key`, or loads, caches and returns it. `undefined` is not cached. */
  async getOrLoad<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    await this.retryPendingInvalidations();
    if (this.pendingInvalidations.has(key)) {
      this.stats.misses++;
      return load();
    }
    const cached = await this.attempt('get', async () => {
      const raw = await this.store.get(key);
      return raw === undefined || raw === TOMBSTONE ? undefined : (JSON.parse(raw) as T);
    });
    if (cached !== undefined) {
      this.stats.hits++;
      return cached;
    }
    this.stats.misses++;
    const value = await load();
    // Only if absent: a tombstone written meanwhile means this value may already be stale.
    if (value !== undefined) {
      await this.attempt('set', () => this.store.setIfAbsent(key, JSON.stringify(value), this.config.ttlSeconds));
    }
    return value;
  }

  /**
   * Call after a write: drops the entries and holds them off briefly (see TOMBSTONE). Inside a
   * transaction it runs again once the transaction commits, so a read between the write and the
   * commit cannot leave the old row cached.
   */
  async invalidate(...keys: string[]): Promise<void> {
    await this.invalidateNow(keys);
    await this.database?.onCommit(() => this.invalidateNow(keys));
  }

  private async invalidateNow(keys: string[]): Promise<void> {
    for (const key of keys) {
      const done = await this.attempt('invalidate', async () => {
        await this.store.set(key, TOMBSTONE, TOMBSTONE_SECONDS);
        return true;
      });
      if (done) this.pendingInvalidations.delete(key);
      else this.pendingInvalidations.add(key);
    }
  }

  private async retryPendingInvalidations(): Promise<void> {
    if (this.pendingInvalidations.size === 0 || !this.store.isAvailable()) return;
    await this.invalidateNow([...this.pendingInvalidations]);
  }

  private async attempt<R>(operation: string, run: () => Promise<R>): Promise<R | undefined> {
    try {
      return await run();
    } catch (error) {
      this.stats.errors++;
      this.logger.warn(`cache ${operation} failed, continuing without cache: ${(error as Error).message}`);
      return undefined;
    }
  }
}
