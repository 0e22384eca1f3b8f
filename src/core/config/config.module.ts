import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import {
  appConfig,
  cacheConfig,
  databaseConfig,
  grpcConfig,
  httpConfig,
  idempotencyConfig,
  lifecycleConfig,
  logConfig,
  protectionConfig,
} from './config';
import { envFilePaths } from './env.loader';
import { parseEnv } from './env.schema';

/**
 * Loads `.env.<NODE_ENV>.local`, `.env.<NODE_ENV>` and `.env` (earlier files win, the real
 * environment beats them all), validates everything once and fails boot listing every bad key.
 */
@Module({})
export class CoreConfigModule {
  static forRoot(): Promise<DynamicModule> {
    return ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      envFilePath: envFilePaths(),
      validate: (raw) => {
        parseEnv(raw);
        return raw;
      },
      load: [
        appConfig,
        httpConfig,
        grpcConfig,
        lifecycleConfig,
        logConfig,
        databaseConfig,
        cacheConfig,
        idempotencyConfig,
        protectionConfig,
      ],
    });
  }
}
