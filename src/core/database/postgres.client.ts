import { Logger } from '@nestjs/common';
import { drizzle, NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { Pool } from 'pg';
import { DatabaseClient, Db, MIGRATIONS_FOLDER } from './database.client';
import { isDatabaseUnavailable } from './database.errors';

/** Any stable 64-bit number unique to this service's migrations. */
const MIGRATION_LOCK_ID = 7_346_201_913;

export interface PostgresOptions {
  url: string;
  poolMax: number;
  connectTimeoutMs: number;
  /** Every connection's statement_timeout (the request timeout). */
  statementTimeoutMs?: number;
}

export class PostgresClient extends DatabaseClient {
  readonly driver = 'postgres' as const;
  readonly defaultStatementTimeoutMs: number | undefined;
  protected readonly root: NodePgDatabase;
  private readonly pool: Pool;
  private readonly logger = new Logger('Database');

  constructor(options: PostgresOptions) {
    super();
    this.pool = new Pool({
      connectionString: options.url,
      max: options.poolMax,
      connectionTimeoutMillis: options.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: 'nest-hybrid-service',
      // No query outlives the longest request; shorter deadlines get a SET LOCAL of their own.
      statement_timeout: options.statementTimeoutMs,
    });
    this.defaultStatementTimeoutMs = options.statementTimeoutMs;
    // A connection that dies emits 'error': on the pool while idle, on the client itself while
    // checked out (inside a transaction, between two queries). Unheard, either would crash the
    // process; the query in progress fails on its own and the pool discards the client.
    this.pool.on('error', (error) => this.logger.warn(`idle database connection failed: ${error.message}`));
    this.pool.on('connect', (client) =>
      client.on('error', (error) => this.logger.warn(`database connection failed: ${error.message}`)),
    );
    this.root = drizzle({ client: this.pool });
  }

  /**
   * Not drizzle's pool transaction: it sends BEGIN before its try/finally, so a pooled connection
   * that died while idle (a database restart) fails BEGIN and is never released, and the pool can
   * then never close. Here the connection is always released, and destroyed when it failed.
   */
  protected override async openTransaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    const connection = await this.pool.connect();
    let failure: Error | undefined;
    try {
      await connection.query('begin');
      try {
        const result = await work(drizzle({ client: connection }));
        await connection.query('commit');
        return result;
      } catch (error) {
        await connection.query('rollback').catch(() => undefined);
        throw error;
      }
    } catch (error) {
      if (isDatabaseUnavailable(error)) failure = error as Error;
      throw error;
    } finally {
      connection.release(failure);
    }
  }

  override poolStats() {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  async migrate(): Promise<void> {
    // One dedicated connection holds a session advisory lock, so replicas migrating at the same
    // time run one after the other and the later ones find nothing to do.
    const connection = await this.pool.connect();
    // A checked-out client has no pool listener: without this a dropped connection would crash us.
    const onError = (error: Error) => this.logger.warn(`migration connection failed: ${error.message}`);
    connection.on('error', onError);
    let failure: Error | undefined;
    try {
      await connection.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
      await migrate(drizzle({ client: connection }), { migrationsFolder: MIGRATIONS_FOLDER });
      await connection.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    } catch (error) {
      // No unlock on failure: the lock belongs to the session, which release(error) ends.
      failure = error as Error;
      throw error;
    } finally {
      connection.off('error', onError);
      connection.release(failure);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
