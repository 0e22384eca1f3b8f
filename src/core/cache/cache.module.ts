import { Global, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { cacheConfig } from '../config/config';
import { TeardownPhase, TeardownRegistry } from '../lifecycle/teardown.registry';
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
export class CacheModule {}
