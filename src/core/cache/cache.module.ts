import { Global, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { cacheConfig } from '../config/config';
import { TeardownPhase, TeardownRegistry } from '../lifecycle/teardown.registry';
import { MetricsService } from '../metrics/metrics.service';
import { CacheHealthIndicator } from './cache.health';
import { CacheService } from './cache.service';
import { CacheStore } from './cache.store';
import { MemoryCacheStore } from './memory.cache-store';
import { RedisCacheStore } from './redis.cache-store';

/** How long boot waits for a first Redis connection before going on without the cache. */
const REDIS_BOOT_WAIT_MS = 1_000;

@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: CacheStore,
      inject: [cacheConfig.KEY, TeardownRegistry],
      useFactory: async (config: ConfigType<typeof cacheConfig>, teardown: TeardownRegistry): Promise<CacheStore> => {
        const store = config.redisUrl
          ? new RedisCacheStore({
              url: config.redisUrl,
              keyPrefix: config.keyPrefix,
              commandTimeoutMs: config.commandTimeoutMs,
            })
          : new MemoryCacheStore(config.maxItems);
        teardown.register(TeardownPhase.CACHE, `cache (${store.backend})`, () => store.close());
        if (store instanceof RedisCacheStore) await store.waitUntilReady(REDIS_BOOT_WAIT_MS);
        return store;
      },
    },
    CacheService,
    CacheHealthIndicator,
  ],
  exports: [CacheStore, CacheService, CacheHealthIndicator],
})
export class CacheModule {
  constructor(cache: CacheService, metrics: MetricsService) {
    metrics.counter('cache_operations_total', 'Cache reads by result, and cache errors', ['result'], () => [
      [{ result: 'hit' }, cache.stats.hits],
      [{ result: 'miss' }, cache.stats.misses],
      [{ result: 'error' }, cache.stats.errors],
    ]);
  }
}
