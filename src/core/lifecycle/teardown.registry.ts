import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';

/**
 * The teardown order, a contract rather than whatever order Nest visits peer modules in:
 * outbound clients first (nothing new leaves the process), then the cache, then the database
 * pool, then buffered trace spans are exported, and the logger is flushed last so every line
 * above is written.
 */
export enum TeardownPhase {
  OUTBOUND_CLIENTS = 0,
  CACHE = 1,
  DATABASE = 2,
  TELEMETRY = 3,
  LOGGER = 4,
}

interface Step {
  phase: TeardownPhase;
  name: string;
  run: () => Promise<void> | void;
}

export interface TeardownResult {
  name: string;
  phase: string;
  durationMs: number;
  error?: string;
}

/**
 * Infrastructure modules register how to close what they own; the steps run in phase order from
 * this one `onApplicationShutdown` hook, after both servers have stopped. Nothing is closed in
 * `onModuleDestroy`, which Nest runs before the servers stop.
 */
@Injectable()
export class TeardownRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger('Teardown');
  private readonly steps: Step[] = [];
  private results: TeardownResult[] | undefined;

  register(phase: TeardownPhase, name: string, run: () => Promise<void> | void): void {
    this.steps.push({ phase, name, run });
  }

  /** What ran, in order, with durations. */
  completed(): TeardownResult[] {
    return this.results ?? [];
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.results) return;
    this.results = [];
    // Array sort is stable: registration order holds within a phase.
    const ordered = [...this.steps].sort((a, b) => a.phase - b.phase);
    for (const step of ordered) {
      const started = performance.now();
      const result: TeardownResult = { name: step.name, phase: TeardownPhase[step.phase], durationMs: 0 };
      try {
        await step.run();
      } catch (error) {
        result.error = error instanceof Error ? error.message : String(error);
      }
      result.durationMs = Math.round(performance.now() - started);
      this.results.push(result);
      const line = { teardown: result };
      if (result.error) this.logger.error(line, `teardown ${result.phase} ${step.name} failed`);
      else this.logger.log(line, `teardown ${result.phase} ${step.name} done in ${result.durationMs}ms`);
    }
  }
}
