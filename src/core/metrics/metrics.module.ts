import { Global, Module } from '@nestjs/common';
import { HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';
import { GrpcMetrics } from './grpc-metrics';
import { MetricsEndpoint, MetricsServer } from './metrics.server';
import { MetricsService } from './metrics.service';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, GrpcMetrics, MetricsEndpoint, MetricsServer, HttpMetrics],
  exports: [MetricsService, GrpcMetrics, HttpMetrics],
})
export class MetricsModule {}
