import { Inject, Injectable, Logger } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { ConfigType } from '@nestjs/config';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
} from 'cockatiel';
import { databaseConfig } from '../config/config';
import { AppError, UnavailableError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { Deadline } from '../protection/deadline';
import { DatabaseClient } from './database.client';
import { isDatabaseUnavailable, translateDatabaseError } from './database.errors';

/** How much shorter than the connection default a deadline must be to get its own timeout. */
const STATEMENT_TIMEOUT_SLACK_MS = 1_000;

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Every query runs through here: bounded by the request's deadline (statement_timeout), and
 * behind a circuit breaker (cockatiel): after DATABASE_BREAKER_FAILURES consecutive
 * "database unreachable" failures it opens and queries fail at once with UNAVAILABLE instead of
 * queueing on the pool for its connect timeout; after DATABASE_BREAKER_HALF_OPEN_MS one query is
 * let through as a probe, and its success closes the circuit again. Query errors (a constraint,
 * bad SQL) never trip it. A run inside a run (the queries of a transaction that runs through
 * here as a whole) bypasses the breaker: the outer run is the unit it counts and lets through.
 */
@Injectable()
export class DatabaseBreaker {
  private readonly logger = new Logger('Database');
  private readonly policy: CircuitBreakerPolicy;
  /** Set inside a run: while half-open, cockatiel makes nested calls wait for the outer probe. */
  private readonly inside = new AsyncLocalStorage<true>();

  constructor(
    private readonly client: DatabaseClient,
    @Inject(databaseConfig.KEY) config: ConfigType<typeof databaseConfig>,
  ) {
    this.policy = circuitBreaker(
      handleWhen((error) => isDatabaseUnavailable(error)),
      { halfOpenAfter: config.breaker.halfOpenAfterMs, breaker: new ConsecutiveBreaker(config.breaker.failures) },
    );
    this.policy.onBreak(() => this.logger.warn('database circuit opened: failing fast'));
    this.policy.onHalfOpen(() => this.logger.log('database circuit half-open: probing'));
    this.policy.onReset(() => this.logger.log('database circuit closed'));
  }

  get state(): BreakerState {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }

  /** Runs a query through the breaker; database errors come out translated (UNAVAILABLE, ...). */
  async run<T>(query: () => Promise<T>): Promise<T> {
    const remainingMs = Deadline.remainingMs();
    if (remainingMs === 0) throw new AppError(ErrorCode.DEADLINE_EXCEEDED, 'The request deadline has passed');
    // The connection's own statement_timeout already covers a request with about that much time
    // left; only a clearly shorter deadline costs the SET LOCAL (and, outside a transaction, one).
    const needsOwn =
      remainingMs !== undefined &&
      (this.client.defaultStatementTimeoutMs === undefined ||
        remainingMs + STATEMENT_TIMEOUT_SLACK_MS < this.client.defaultStatementTimeoutMs);
    const bounded = needsOwn ? () => this.client.withStatementTimeout(remainingMs, query) : query;
    try {
      if (this.inside.getStore()) return await bounded();
      return await this.policy.execute(() => this.inside.run(true, bounded));
    } catch (error) {
      if (error instanceof BrokenCircuitError)
        throw new UnavailableError('The database is unavailable', { cause: error });
      throw translateDatabaseError(error);
    }
  }
}
