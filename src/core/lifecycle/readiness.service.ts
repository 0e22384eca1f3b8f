import { Injectable, Logger } from '@nestjs/common';

export type ReadinessListener = (ready: boolean) => void;

/**
 * The one readiness state behind `/readyz` and `grpc.health.v1`: ready while every critical
 * dependency is up and the process is not shutting down. Shutting down is final.
 */
@Injectable()
export class ReadinessService {
  private readonly logger = new Logger('Readiness');
  private readonly dependencies = new Map<string, boolean>();
  private readonly listeners = new Set<ReadinessListener>();
  private shuttingDown = false;
  private ready = true;

  /** Registers a critical dependency, down until its first successful probe. */
  track(dependency: string): void {
    if (!this.dependencies.has(dependency)) this.dependencies.set(dependency, false);
    this.recompute();
  }

  setDependency(dependency: string, up: boolean): void {
    if (this.dependencies.get(dependency) === up) return;
    this.dependencies.set(dependency, up);
    this.logger.log(`${dependency} is ${up ? 'up' : 'down'}`);
    this.recompute();
  }

  beginShutdown(): void {
    this.shuttingDown = true;
    this.recompute();
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  isReady(): boolean {
    return this.ready;
  }

  /** Calls `listener` now and on every change. */
  subscribe(listener: ReadinessListener): () => void {
    this.listeners.add(listener);
    listener(this.ready);
    return () => this.listeners.delete(listener);
  }

  private recompute(): void {
    const ready = !this.shuttingDown && [...this.dependencies.values()].every(Boolean);
    if (ready === this.ready) return;
    this.ready = ready;
    for (const listener of this.listeners) listener(ready);
  }
}
