import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { databaseConfig, DatabaseConfig } from '../config/config';
import { DatabaseClient } from './database.client';
import { DatabaseHealthIndicator } from './database.health';
import { PgliteClient } from './pglite.client';
import { PostgresClient } from './postgres.client';

export function createDatabaseClient(config: DatabaseConfig): DatabaseClient {
  return config.url
    ? new PostgresClient({ url: config.url, poolMax: config.poolMax, connectTimeoutMs: config.connectTimeoutMs })
    : new PgliteClient(config.pgliteDataDir);
}

@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: DatabaseClient,
      inject: [databaseConfig.KEY],
      useFactory: async (config: ConfigType<typeof databaseConfig>) => {
        const client = createDatabaseClient(config);
        if (config.migrateOnStart) {
          const started = Date.now();
          await client.migrate();
          new Logger('Database').log(`${client.driver} migrated in ${Date.now() - started}ms`);
        }
        return client;
      },
    },
    DatabaseHealthIndicator,
  ],
  exports: [DatabaseClient, DatabaseHealthIndicator],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DatabaseClient) private readonly client: DatabaseClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
