import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { databaseConfig, lifecycleConfig } from '../config/config';
import { ReadinessService } from '../lifecycle/readiness.service';
import { TeardownPhase, TeardownRegistry } from '../lifecycle/teardown.registry';
import { DatabaseClient } from './database.client';
import { isDatabaseUnavailable } from './database.errors';
import { pingWithin } from './database.health';

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

  constructor(
    private readonly client: DatabaseClient,
    private readonly readiness: ReadinessService,
    @Inject(databaseConfig.KEY) database: ConfigType<typeof databaseConfig>,
    @Inject(lifecycleConfig.KEY) private readonly lifecycle: ConfigType<typeof lifecycleConfig>,
    teardown: TeardownRegistry,
  ) {
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
      this.readiness.setDependency('database', true);
    } catch (error) {
      // A broken migration is a bug to fix, not an outage to wait out: fail the boot.
      if (atBoot && this.pendingMigration && !isDatabaseUnavailable(error)) throw error;
      if (atBoot) this.logger.warn(`database unreachable at boot, starting not ready: ${(error as Error).message}`);
      this.readiness.setDependency('database', false);
    }
  }
}
