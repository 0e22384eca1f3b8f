import { Global, Module } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { ReadinessService } from './readiness.service';
import { TeardownRegistry } from './teardown.registry';

@Global()
@Module({
  providers: [ReadinessService, TeardownRegistry],
  exports: [ReadinessService, TeardownRegistry],
})
export class LifecycleModule {
  constructor(readiness: ReadinessService, metrics: MetricsService) {
    metrics.gauge('service_ready', 'Readiness: 1 when serving traffic', [], () => [[{}, readiness.isReady() ? 1 : 0]]);
    metrics.gauge('service_shutting_down', '1 once shutdown has begun', [], () => [
      [{}, readiness.isShuttingDown() ? 1 : 0],
    ]);
  }
}
