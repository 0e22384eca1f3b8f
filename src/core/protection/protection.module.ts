import { Global, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AuthGuard } from '../auth/auth.guard';
import { Authenticator } from '../auth/authenticator';
import { protectionConfig } from '../config/config';
import { TeardownPhase, TeardownRegistry } from '../lifecycle/teardown.registry';
import { HttpDeadline } from './http-deadline';
import { RateLimitGuard } from './rate-limit.guard';
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
    RateLimitGuard,
    HttpDeadline,
    Authenticator,
    AuthGuard,
  ],
  exports: [RateLimitGuard, HttpDeadline, TokenBucketStore, Authenticator, AuthGuard],
})
export class ProtectionModule {}
