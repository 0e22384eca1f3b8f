import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import { settlesWithin } from '../lifecycle/settle-within';

/** A drizzle database, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT>;

/** src/ and dist/ sit at the same depth, so this resolves from both. */
export const MIGRATIONS_FOLDER = resolve(__dirname, '../../../drizzle');

/**
 * The port the rest of the service sees: Postgres (pg pool) or embedded PGlite behind one
 * interface. Created eagerly by DatabaseModule and closed by it.
 */
interface TransactionFrame {
  tx: Db;
  afterCommit: (() => Promise<void>)[];
}

export abstract class DatabaseClient {
  abstract readonly driver: 'postgres' | 'pglite';
  /**
   * The statement_timeout every connection already has (ms), or undefined. A query whose request
   * has clearly less time left than this gets its own, shorter one (see DatabaseBreaker).
   */
  abstract readonly defaultStatementTimeoutMs: number | undefined;
  /** The database outside any transaction. */
  protected abstract readonly root: Db;
  private readonly ambient = new AsyncLocalStorage<TransactionFrame>();

  /**
   * What repositories query: the transaction this async context runs in (see transaction()), or
   * the database itself. So a repository joins a transaction opened further up (the idempotency
   * record, say) without being told.
   */
  get db(): Db {
    return this.ambient.getStore()?.tx ?? this.root;
  }

  /**
   * Runs `work` in a transaction that every repository call inside it joins; commits when it
   * resolves, rolls back when it throws. A call inside a transaction joins that transaction.
   */
  async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    const ambient = this.ambient.getStore();
    if (ambient) return work(ambient.tx);
    const afterCommit: TransactionFrame['afterCommit'] = [];
    const result = await this.openTransaction((tx) => this.ambient.run({ tx, afterCommit }, () => work(tx)));
    for (const hook of afterCommit) await hook().catch(() => undefined);
    return result;
  }

  /**
   * Runs `hook` once the current transaction has committed (never, if it rolls back), or now
   * outside a transaction. For side effects others must not see early, such as cache invalidation.
   */
  async onCommit(hook: () => Promise<void>): Promise<void> {
    const ambient = this.ambient.getStore();
    if (ambient) ambient.afterCommit.push(hook);
    else await hook();
  }

  protected openTransaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.root.transaction(work);
  }

  /**
   * Runs `work` with a server-side statement_timeout: Postgres cancels a query that runs longer
   * (SQLSTATE 57014) instead of letting it run on after the caller has gone. SET LOCAL needs a
   * transaction: the ambient one when there is one, else a short one around `work`.
   */
  withStatementTimeout<T>(timeoutMs: number, work: () => Promise<T>): Promise<T> {
    const set = (tx: Db) => tx.execute(sql.raw(`set local statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`));
    const ambient = this.ambient.getStore()?.tx;
    if (ambient) return set(ambient).then(work);
    return this.transaction(async (tx) => {
      await set(tx);
      return work();
    });
  }

  /** Connection pool sizes, where there is a pool. */
  poolStats(): { total: number; idle: number; waiting: number } | undefined {
    return undefined;
  }

  /** Resolves when the database answers a trivial query. */
  abstract ping(): Promise<void>;
  /** Applies pending migrations; safe to run from several processes at once. */
  abstract migrate(): Promise<void>;
  abstract close(): Promise<void>;
}

/** Resolves when the database answers within `timeoutMs`, rejects otherwise. */
export async function pingWithin(client: DatabaseClient, timeoutMs: number): Promise<void> {
  if (!(await settlesWithin(client.ping(), timeoutMs))) throw new Error(`no answer within ${timeoutMs}ms`);
}
