/* `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */
import { databaseSettings } from '../config/config';
import { loadEnv } from '../config/env.loader';
import { createDatabaseClient } from './database.module';

async function main(): Promise<void> {
  const client = createDatabaseClient(databaseSettings(loadEnv()));
  try {
    await client.migrate();
    process.stdout.write(`migrations applied (${client.driver})\n`);
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
