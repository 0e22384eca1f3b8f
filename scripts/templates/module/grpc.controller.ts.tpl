import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Idempotent } from '../../core/idempotency/idempotency.interceptor';
import { Timestamp } from '../../generated/google/protobuf/timestamp';
import {
  Create{{Name}}Response,
  Delete{{Name}}Response,
  Get{{Name}}Response,
  List{{Names}}Response,
  Update{{Name}}Response,
  {{Name}} as {{Name}}Message,
  {{Name}}ServiceController,
  {{Name}}ServiceControllerMethods,
} from '../../generated/{{name_snake}}/v1/{{name_snake}}';
import { Create{{Name}}Dto } from './dto/create-{{name-kebab}}.dto';
import { List{{Names}}RequestDto } from './dto/list-{{names-kebab}}.dto';
import { Update{{Name}}RequestDto } from './dto/update-{{name-kebab}}.dto';
import { {{Name}}IdDto } from './dto/{{name-kebab}}-id.dto';
import { {{Name}} } from './{{name-kebab}}.model';
import { {{Names}}Service } from './{{names-kebab}}.service';

/** `{{name_snake}}.v1.{{Name}}Service`, implementing the interface generated from the proto. */
@Controller()
@{{Name}}ServiceControllerMethods()
export class {{Names}}GrpcController implements {{Name}}ServiceController {
  constructor(private readonly {{names}}: {{Names}}Service) {}

  @Idempotent()
  async create{{Name}}(@Payload() request: Create{{Name}}Dto): Promise<Create{{Name}}Response> {
    return { {{name}}: toMessage(await this.{{names}}.create(request)) };
  }

  async get{{Name}}(@Payload() request: {{Name}}IdDto): Promise<Get{{Name}}Response> {
    return { {{name}}: toMessage(await this.{{names}}.get(request.id)) };
  }

  async list{{Names}}(@Payload() request: List{{Names}}RequestDto): Promise<List{{Names}}Response> {
    const page = await this.{{names}}.list({ limit: request.pageSize, cursor: request.pageToken });
    return { {{names}}: page.{{names}}.map(toMessage), nextPageToken: page.nextCursor ?? '' };
  }

  @Idempotent()
  async update{{Name}}(@Payload() request: Update{{Name}}RequestDto): Promise<Update{{Name}}Response> {
    const { id, ...changes } = request;
    return { {{name}}: toMessage(await this.{{names}}.update(id, changes)) };
  }

  @Idempotent()
  async delete{{Name}}(@Payload() request: {{Name}}IdDto): Promise<Delete{{Name}}Response> {
    await this.{{names}}.delete(request.id);
    return {};
  }
}

function toMessage(entity: {{Name}}): {{Name}}Message {
  return {
    id: entity.id,
    name: entity.name,
    createTime: toTimestamp(entity.createdAt),
    updateTime: toTimestamp(entity.updatedAt),
  };
}

function toTimestamp(date: Date): Timestamp {
  const millis = date.getTime();
  return { seconds: Math.floor(millis / 1000), nanos: (millis % 1000) * 1_000_000 };
}
