import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { CacheStore } from './cache.store';

/** The cache is reported but never fails readiness: without it the service is degraded, not down. */
@Injectable()
export class CacheHealthIndicator {
  constructor(
    private readonly store: CacheStore,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'cache') {
    const available = this.store.isAvailable();
    return this.health.check(key).up({ backend: this.store.backend, available, degraded: !available });
  }
}
