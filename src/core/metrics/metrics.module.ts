import { Global, Module } from '@nestjs/common';
import { HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsInterceptor } from './metrics.interceptor';
import { MetricsEndpoint, MetricsServer } from './metrics.server';
import { MetricsService } from './metrics.service';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, MetricsInterceptor, MetricsEndpoint, MetricsServer, HttpMetrics],
  exports: [MetricsService, MetricsInterceptor, HttpMetrics],
})
export class MetricsModule {}
