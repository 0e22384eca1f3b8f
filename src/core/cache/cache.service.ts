import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { cacheConfig } from '../config/config';
import { CacheStore } from './cache.store';

/**
 * Cache-aside for services. The cache is an optimisation, never a dependency: every store
 * failure is logged and treated as a miss (reads) or ignored (writes), so requests are served
 * from the database while the cache is down.
 */
@Injectable()
export class CacheService {
  private readonly logger = new Logger(CacheService.name);
  readonly stats = { hits: 0, misses: 0, errors: 0 };

  constructor(
    private readonly store: CacheStore,
    @Inject(cacheConfig.KEY) private readonly config: ConfigType<typeof cacheConfig>,
  ) {}

  /** Returns the cached value for `key`, or loads, caches and returns it. `undefined` is not cached. */
  async getOrLoad<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const cached = await this.attempt('get', () => this.store.get(key));
    if (cached !== undefined) {
      this.stats.hits++;
      return JSON.parse(cached) as T;
    }
    this.stats.misses++;
    const value = await load();
    if (value !== undefined) await this.set(key, value);
    return value;
  }

  async set<T>(key: string, value: T): Promise<void> {
    await this.attempt('set', () => this.store.set(key, JSON.stringify(value), this.config.ttlSeconds));
  }

  async invalidate(...keys: string[]): Promise<void> {
    await this.attempt('delete', () => this.store.delete(...keys));
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
