import { Global, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { databaseConfig, DatabaseConfig } from '../config/config';
import { TeardownPhase, TeardownRegistry } from '../lifecycle/teardown.registry';
import { DatabaseBreaker } from './database.breaker';
import { DatabaseClient } from './database.client';
import { DatabaseHealthIndicator } from './database.health';
import { DatabaseMonitor } from './database.monitor';
import { PgliteClient } from './pglite.client';
import { PostgresClient } from './postgres.client';

export function createDatabaseClient(config: DatabaseConfig): DatabaseClient {
  return config.url
    ? new PostgresClient({
        url: config.url,
        poolMax: config.poolMax,
        connectTimeoutMs: config.connectTimeoutMs,
        statementTimeoutMs: config.statementTimeoutMs,
      })
    : new PgliteClient(config.pgliteDataDir);
}

@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: DatabaseClient,
      inject: [databaseConfig.KEY, TeardownRegistry],
      useFactory: (config: ConfigType<typeof databaseConfig>, teardown: TeardownRegistry) => {
        // Created eagerly (a pool connects lazily, so a database that is down does not stop boot);
        // closed by the ordered teardown after both servers have stopped.
        const client = createDatabaseClient(config);
        teardown.register(TeardownPhase.DATABASE, `database (${client.driver})`, () => client.close());
        return client;
      },
    },
    DatabaseBreaker,
    DatabaseHealthIndicator,
    DatabaseMonitor,
  ],
  exports: [DatabaseClient, DatabaseBreaker, DatabaseHealthIndicator],
})
export class DatabaseModule {}
