import { Inject, Injectable, Logger } from '@nestjs/common';
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
import { UnavailableError } from '../errors/app-error';
import { isDatabaseUnavailable, translateDatabaseError } from './database.errors';

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker around every query (cockatiel): after DATABASE_BREAKER_FAILURES consecutive
 * "database unreachable" failures it opens and queries fail at once with UNAVAILABLE instead of
 * queueing on the pool for its connect timeout; after DATABASE_BREAKER_HALF_OPEN_MS one query is
 * let through as a probe, and its success closes the circuit again. Query errors (a constraint,
 * bad SQL) never trip it.
 */
@Injectable()
export class DatabaseBreaker {
  private readonly logger = new Logger('Database');
  private readonly policy: CircuitBreakerPolicy;

  constructor(@Inject(databaseConfig.KEY) config: ConfigType<typeof databaseConfig>) {
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
    try {
      return await this.policy.execute(query);
    } catch (error) {
      if (error instanceof BrokenCircuitError)
        throw new UnavailableError('The database is unavailable', { cause: error });
      throw translateDatabaseError(error);
    }
  }
}
