import { PGlite } from '@electric-sql/pglite';
import { drizzle, PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { mkdirSync } from 'node:fs';
import { DatabaseClient, MIGRATIONS_FOLDER } from './database.client';

/** Embedded Postgres (WASM) in this process: persisted in a directory, or `memory://`. */
export class PgliteClient extends DatabaseClient {
  readonly driver = 'pglite' as const;
  /** In process: a SET LOCAL per query costs no round trip, so every query gets its own. */
  readonly defaultStatementTimeoutMs = undefined;
  protected readonly root: PgliteDatabase;
  private readonly pglite: PGlite;

  constructor(dataDir: string) {
    super();
    const inMemory = dataDir.startsWith('memory://');
    if (!inMemory) mkdirSync(dataDir, { recursive: true });
    this.pglite = new PGlite(inMemory ? undefined : dataDir);
    this.root = drizzle({ client: this.pglite });
  }

  async ping(): Promise<void> {
    await this.pglite.query('select 1');
  }

  async migrate(): Promise<void> {
    // One process owns the data directory, so there is nobody to lock against.
    await migrate(this.root, { migrationsFolder: MIGRATIONS_FOLDER });
  }

  async close(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}
