import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { resolve } from 'node:path';

/** A drizzle database, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT>;

/** src/ and dist/ sit at the same depth, so this resolves from both. */
export const MIGRATIONS_FOLDER = resolve(__dirname, '../../../drizzle');

/**
 * The port the rest of the service sees: Postgres (pg pool) or embedded PGlite behind one
 * interface. Created eagerly by DatabaseModule and closed by it.
 */
export abstract class DatabaseClient {
  abstract readonly driver: 'postgres' | 'pglite';
  abstract readonly db: Db;
  /** Resolves when the database answers a trivial query. */
  abstract ping(): Promise<void>;
  /** Applies pending migrations; safe to run from several processes at once. */
  abstract migrate(): Promise<void>;
  abstract close(): Promise<void>;
}

/** Resolves when the database answers within `timeoutMs`, rejects otherwise. */
export async function pingWithin(client: DatabaseClient, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs}ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
