import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseBreaker } from './database.breaker';
import { DatabaseClient } from './database.client';
import { DatabaseMonitor } from './database.monitor';

/**
 * Reports what the DatabaseMonitor last saw, so `/readyz` and gRPC health always agree, the probe
 * stays cheap (no query per probe request), and no driver message reaches an unauthenticated
 * caller (the monitor logs those).
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly client: DatabaseClient,
    private readonly monitor: DatabaseMonitor,
    private readonly breaker: DatabaseBreaker,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'database') {
    const indicator = this.health.check(key);
    const details = {
      driver: this.client.driver,
      circuit: this.breaker.state,
      checkedAt: this.monitor.lastCheckedAt?.toISOString(),
    };
    return this.monitor.isUp() ? indicator.up(details) : indicator.down({ ...details, message: 'unreachable' });
  }
}
