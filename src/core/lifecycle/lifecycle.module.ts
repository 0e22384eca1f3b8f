import { Global, Module } from '@nestjs/common';
import { ReadinessService } from './readiness.service';
import { TeardownRegistry } from './teardown.registry';

@Global()
@Module({
  providers: [ReadinessService, TeardownRegistry],
  exports: [ReadinessService, TeardownRegistry],
})
export class LifecycleModule {}
