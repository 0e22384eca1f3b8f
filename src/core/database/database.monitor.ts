import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { databaseConfig, lifecycleConfig } from '../config/config';
import { ReadinessService } from '../lifecycle/readiness.service';
import { TeardownPhase, TeardownRegistry } from '../lifecycle/teardown.registry';
import { MetricsService } from '../metrics/metrics.service';
import { DatabaseBreaker } from './database.breaker';
import { DatabaseClient, pingWithin } from './database.client';
import { isDatabaseUnavailable } from './database.errors';

const PROBE_TIMEOUT_MS = 1_000;

/**
 * Keeps readiness in step with the database: probes it on an interval, so the service turns not
 * ready when the database goes away and ready again by itself when it returns, without a restart.
 * Also owns migrations on start: when the database is down at boot the process still starts
 * (serving liveness, not ready) and migrates as soon as the database is reachable.
 */
@Injectable()
export class DatabaseMonitor implements OnApplicationBootstrap {
  private readonly logger = new Logger('Database');
  private pendingMigration: boolean;
  private probing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private up = false;
  private lastError: string | undefined;
  lastCheckedAt: Date | undefined;

  constructor(
    private readonly client: DatabaseClient,
    private readonly readiness: ReadinessService,
    @Inject(databaseConfig.KEY) database: ConfigType<typeof databaseConfig>,
    @Inject(lifecycleConfig.KEY) private readonly lifecycle: ConfigType<typeof lifecycleConfig>,
    teardown: TeardownRegistry,
    metrics: MetricsService,
    breaker: DatabaseBreaker,
  ) {
    metrics.gauge('db_pool_connections', 'Database pool connections by state', ['state'], () => {
      const stats = client.poolStats();
      return stats ? Object.entries(stats).map(([state, value]) => [{ state }, value]) : [];
    });
    metrics.gauge('db_up', 'Whether the last database probe succeeded', [], () => [[{}, this.up ? 1 : 0]]);
    metrics.gauge('db_circuit_open', 'Database circuit breaker: 0 closed, 0.5 half-open, 1 open', [], () => [
      [{}, { closed: 0, 'half-open': 0.5, open: 1 }[breaker.state]],
    ]);
    this.pendingMigration = database.migrateOnStart;
    readiness.track('database');
    teardown.register(TeardownPhase.OUTBOUND_CLIENTS, 'database-monitor', () => clearInterval(this.timer));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.probe(true);
    this.timer = setInterval(() => void this.probe(false), this.lifecycle.readinessProbeIntervalMs);
    this.timer.unref();
  }

  /** One probe at a time; a probe that is still running is shared. */
  probe(atBoot = false): Promise<void> {
    this.probing ??= this.runProbe(atBoot).finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  private async runProbe(atBoot: boolean): Promise<void> {
    try {
      if (this.pendingMigration) {
        const started = Date.now();
        await this.client.migrate();
        this.pendingMigration = false;
        this.logger.log(`${this.client.driver} migrated in ${Date.now() - started}ms`);
      }
      await pingWithin(this.client, PROBE_TIMEOUT_MS);
      this.record(true);
    } catch (error) {
      // A broken migration is a bug to fix, not an outage to wait out: fail the boot.
      if (atBoot && this.pendingMigration && !isDatabaseUnavailable(error)) throw error;
      const message = (error as Error).message;
      if (atBoot) this.logger.warn(`database unreachable at boot, starting not ready: ${message}`);
      else if (message !== this.lastError) this.logger.warn(`database probe failed: ${message}`);
      this.lastError = message;
      this.record(false);
    }
  }

  /** The result of the last probe (false until the first one succeeds). */
  isUp(): boolean {
    return this.up;
  }

  private record(up: boolean): void {
    this.up = up;
    this.lastCheckedAt = new Date();
    if (up) this.lastError = undefined;
    this.readiness.setDependency('database', up);
  }
}
