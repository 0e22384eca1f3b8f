import { DynamicModule, Module } from '@nestjs/common';
import { CacheModule } from './core/cache/cache.module';
import { CoreConfigModule } from './core/config/config.module';
import { DatabaseModule } from './core/database/database.module';
import { HealthModule } from './core/health/health.module';
import { IdempotencyModule } from './core/idempotency/idempotency.module';
import { LifecycleModule } from './core/lifecycle/lifecycle.module';
import { MetricsModule } from './core/metrics/metrics.module';
import { ProtectionModule } from './core/protection/protection.module';
import { LoggingModule } from './core/logging/logging.module';
import { UsersModule } from './modules/users/users.module';

/**
 * Built by a function rather than at import time, so the environment is read when the app is
 * created (tests set it per app) and never when a file is merely imported.
 */
@Module({})
export class AppModule {
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreConfigModule.forRoot(),
        LifecycleModule,
        MetricsModule,
        LoggingModule,
        DatabaseModule,
        CacheModule,
        IdempotencyModule,
        ProtectionModule,
        HealthModule,
        UsersModule,
      ],
    };
  }
}
