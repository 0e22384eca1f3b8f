import { Global, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AuthGuard } from '../auth/auth.guard';
import { Authenticator } from '../auth/authenticator';
import { protectionConfig } from '../config/config';
import { TeardownPhase, TeardownRegistry } from '../lifecycle/teardown.registry';
import { DeadlineInterceptor } from './deadline.interceptor';
import { RateLimitInterceptor } from './rate-limit.interceptor';
import { MemoryTokenBucketStore, RedisTokenBucketStore, TokenBucketStore } from './token-bucket';

@Global()
@Module({
  providers: [
    {
      provide: TokenBucketStore,
      inject: [protectionConfig.KEY, TeardownRegistry],
      useFactory: (config: ConfigType<typeof protectionConfig>, teardown: TeardownRegistry) => {
        const { redisUrl, keyPrefix, commandTimeoutMs } = config.rateLimit;
        const store = redisUrl
          ? new RedisTokenBucketStore(redisUrl, keyPrefix, commandTimeoutMs)
          : new MemoryTokenBucketStore();
        teardown.register(TeardownPhase.OUTBOUND_CLIENTS, 'rate-limit store', () => store.close());
        return store;
      },
    },
    RateLimitInterceptor,
    DeadlineInterceptor,
    Authenticator,
    AuthGuard,
  ],
  exports: [RateLimitInterceptor, DeadlineInterceptor, TokenBucketStore, Authenticator, AuthGuard],
})
export class ProtectionModule {}
