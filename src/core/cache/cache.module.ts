import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { cacheConfig } from '../config/config';
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
      inject: [cacheConfig.KEY],
      useFactory: async (config: ConfigType<typeof cacheConfig>): Promise<CacheStore> => {
        if (!config.redisUrl) return new MemoryCacheStore(config.maxItems);
        const store = new RedisCacheStore({
          url: config.redisUrl,
          keyPrefix: config.keyPrefix,
          commandTimeoutMs: config.commandTimeoutMs,
        });
        await store.waitUntilReady(REDIS_BOOT_WAIT_MS);
        return store;
      },
    },
    CacheService,
    CacheHealthIndicator,
  ],
  exports: [CacheStore, CacheService, CacheHealthIndicator],
})
export class CacheModule implements OnApplicationShutdown {
  constructor(@Inject(CacheStore) private readonly store: CacheStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
