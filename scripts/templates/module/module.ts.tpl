import { Module } from '@nestjs/common';
import { {{Names}}GrpcController } from './{{names-kebab}}.grpc.controller';
import { {{Names}}HttpController } from './{{names-kebab}}.http.controller';
import { Drizzle{{Names}}Repository, {{Names}}Repository } from './{{names-kebab}}.repository';
import { {{Names}}Service } from './{{names-kebab}}.service';

@Module({
  controllers: [{{Names}}HttpController, {{Names}}GrpcController],
  providers: [{{Names}}Service, { provide: {{Names}}Repository, useClass: Drizzle{{Names}}Repository }],
})
export class {{Names}}Module {}
