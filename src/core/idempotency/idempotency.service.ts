import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { eq, lt, sql } from 'drizzle-orm';
import { idempotencyConfig } from '../config/config';
import { DatabaseBreaker } from '../database/database.breaker';
import { DatabaseClient, Db } from '../database/database.client';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { TeardownPhase, TeardownRegistry } from '../lifecycle/teardown.registry';
import { idempotencyKeys } from './idempotency.schema';

export interface IdempotentRequest {
  key: string;
  caller: string;
  operation: string;
  requestHash: string;
}

export type IdempotentOutcome<T> =
  { outcome: 'ok'; value: T; replayed: boolean } | { outcome: 'error'; error: AppError; replayed: true };

/**
 * Outcomes worth replaying: the request ran and was answered for good. Validation errors (the
 * request never started), UNAVAILABLE, DEADLINE_EXCEEDED and INTERNAL (a retry may succeed) are
 * not recorded, so a retry runs again.
 */
const RECORDED_ERRORS = new Set<ErrorCode>([
  ErrorCode.NOT_FOUND,
  ErrorCode.ALREADY_EXISTS,
  ErrorCode.FAILED_PRECONDITION,
]);
const PURGE_BATCH = 1_000;

/**
 * Idempotency keys stored with the write itself: the handler runs in a database transaction that
 * also writes the key's record, so the write and its record commit or vanish together (a crash
 * mid-write leaves neither, and a retry runs afresh). A transaction-scoped advisory lock on the
 * key tells a concurrent duplicate that the first is still running.
 */
@Injectable()
export class IdempotencyService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Idempotency');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly database: DatabaseClient,
    private readonly breaker: DatabaseBreaker,
    @Inject(idempotencyConfig.KEY) private readonly config: ConfigType<typeof idempotencyConfig>,
    teardown: TeardownRegistry,
  ) {
    teardown.register(TeardownPhase.OUTBOUND_CLIENTS, 'idempotency-purge', () => clearInterval(this.timer));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purgeExpired(), this.config.purgeIntervalMs);
    this.timer.unref();
  }

  async execute<T>(request: IdempotentRequest, run: () => Promise<T>): Promise<IdempotentOutcome<T>> {
    try {
      // Through the breaker: an unreachable database answers UNAVAILABLE at once, and the whole
      // transaction (lock, lookup, handler, record) is bounded by the request's deadline.
      return await this.breaker.run(() =>
        this.database.transaction(async (tx) => {
          if (!(await tryLock(tx, request.key))) {
            throw new AppError(ErrorCode.ABORTED, 'A request with this Idempotency-Key is still in progress', {
              retryAfterSeconds: 1,
            });
          }
          const [existing] = await tx
            .select()
            .from(idempotencyKeys)
            .where(eq(idempotencyKeys.key, request.key))
            .limit(1);
          if (existing && existing.expiresAt > new Date()) {
            if (
              existing.caller !== request.caller ||
              existing.operation !== request.operation ||
              existing.requestHash !== request.requestHash
            ) {
              throw new AppError(
                ErrorCode.UNPROCESSABLE,
                'This Idempotency-Key was already used for a different request; use a new key',
              );
            }
            return replay<T>(existing.outcome, existing.response);
          }
          if (existing) await tx.delete(idempotencyKeys).where(eq(idempotencyKeys.key, request.key));
          const value = await run();
          await tx
            .insert(idempotencyKeys)
            .values({ ...request, outcome: 'ok', response: value ?? null, expiresAt: this.expiry() });
          return { outcome: 'ok' as const, value, replayed: false };
        }),
      );
    } catch (error) {
      if (error instanceof AppError && RECORDED_ERRORS.has(error.code)) await this.recordError(request, error);
      throw error;
    }
  }

  /** Deletes expired records in small batches, off the request path. */
  async purgeExpired(): Promise<number> {
    let purged = 0;
    try {
      for (;;) {
        const expired = this.database.db
          .select({ key: idempotencyKeys.key })
          .from(idempotencyKeys)
          .where(lt(idempotencyKeys.expiresAt, new Date()))
          .limit(PURGE_BATCH);
        const deleted = await this.database.db
          .delete(idempotencyKeys)
          .where(sql`${idempotencyKeys.key} in (${expired})`)
          .returning({ key: idempotencyKeys.key });
        purged += deleted.length;
        if (deleted.length < PURGE_BATCH) return purged;
      }
    } catch (error) {
      this.logger.warn(`purging expired idempotency keys failed: ${(error as Error).message}`);
      return purged;
    }
  }

  private async recordError(request: IdempotentRequest, error: AppError): Promise<void> {
    try {
      await this.database.db
        .insert(idempotencyKeys)
        .values({
          ...request,
          outcome: 'error',
          response: { code: error.code, message: error.message },
          expiresAt: this.expiry(),
        })
        .onConflictDoNothing();
    } catch (recordFailure) {
      // The caller still gets the original error; a retry will simply run again.
      this.logger.warn(`recording an idempotent error outcome failed: ${(recordFailure as Error).message}`);
    }
  }

  private expiry(): Date {
    return new Date(Date.now() + this.config.ttlSeconds * 1000);
  }
}

async function tryLock(tx: Db, key: string): Promise<boolean> {
  // Both drivers answer raw queries with `{ rows }`.
  const result: unknown = await tx.execute(
    sql`select pg_try_advisory_xact_lock(hashtextextended(${key}, 7305)) as locked`,
  );
  return (result as { rows: { locked: boolean }[] }).rows[0]?.locked === true;
}

function replay<T>(outcome: 'ok' | 'error', response: unknown): IdempotentOutcome<T> {
  if (outcome === 'ok') return { outcome, value: (response ?? undefined) as T, replayed: true };
  const recorded = response as { code: ErrorCode; message: string };
  return { outcome, error: new AppError(recorded.code, recorded.message), replayed: true };
}
