import { INestApplication, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LifecycleConfig } from '../config/config';
import { AppGrpcServer, CUT_GRACE_MS } from '../grpc/grpc.server';
import { DrainReport, HttpDrainer } from './http-drainer';
import { ReadinessService } from './readiness.service';
import { TeardownRegistry, TeardownResult } from './teardown.registry';

export interface ShutdownReport {
  reason: string;
  http: DrainReport;
  grpc: DrainReport;
  teardown: TeardownResult[];
  durationMs: number;
}

/**
 * The shutdown contract (DESIGN.md "Lifecycle"), in order:
 * 1. readiness false (`/readyz` 503, gRPC health NOT_SERVING); liveness stays up;
 * 2. keep serving normally for the shutdown delay, so load balancers stop routing here (HTTP
 *    responses now say `Connection: close`, moving keep-alive clients off this process early);
 * 3. HTTP and gRPC stop accepting at the same moment and drain in parallel until the deadline,
 *    when whatever remains is cut and counted;
 * 4. app.close(): the ordered teardown (clients, cache, database, logger).
 */
export class Lifecycle {
  private readonly logger = new Logger('Shutdown');
  private running: Promise<ShutdownReport> | undefined;

  constructor(
    private readonly app: INestApplication,
    private readonly http: HttpDrainer,
    private readonly grpc: AppGrpcServer,
    private readonly config: LifecycleConfig,
  ) {}

  /** Total time the sequence may take before the watchdog ends the process. */
  get budgetMs(): number {
    return this.config.shutdownDelayMs + this.config.drainTimeoutMs + CUT_GRACE_MS + this.config.teardownTimeoutMs;
  }

  /** Runs the sequence once; later calls return the same outcome. */
  shutdown(reason: string): Promise<ShutdownReport> {
    this.running ??= this.run(reason);
    return this.running;
  }

  private async run(reason: string): Promise<ShutdownReport> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    this.logger.log({ step: 'readiness', reason }, `shutdown (${reason}): readiness -> false`);
    this.app.get(ReadinessService).beginShutdown();
    this.http.closeConnectionsAfterResponses();

    if (this.config.shutdownDelayMs > 0) {
      this.logger.log({ step: 'delay' }, `serving normally for ${this.config.shutdownDelayMs}ms before draining`);
      await sleep(this.config.shutdownDelayMs);
    }

    const drainStarted = performance.now();
    this.logger.log(
      { step: 'drain', inFlight: { http: this.http.inFlightCount, grpc: this.grpc.inFlightCount } },
      `draining HTTP and gRPC (deadline ${this.config.drainTimeoutMs}ms)`,
    );
    const [http, grpc] = await Promise.all([
      this.http.drain(this.config.drainTimeoutMs),
      this.grpc.drain(this.config.drainTimeoutMs),
    ]);
    const drainMs = Math.round(performance.now() - drainStarted);
    const cut = http.cut + grpc.cut;
    const drained = { step: 'drained', http, grpc, durationMs: drainMs };
    if (cut > 0)
      this.logger.warn(drained, `drain deadline reached: cut ${http.cut} HTTP requests and ${grpc.cut} gRPC calls`);
    else this.logger.log(drained, `drained in ${drainMs}ms, nothing cut`);

    await this.app.close();
    const teardown = this.app.get(TeardownRegistry).completed();
    const report = { reason, http, grpc, teardown, durationMs: elapsed() };
    this.logger.log({ step: 'done', ...report }, `shutdown complete in ${report.durationMs}ms`);
    return report;
  }
}
