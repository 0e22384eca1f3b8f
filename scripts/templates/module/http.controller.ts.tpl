import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Idempotent } from '../../core/idempotency/idempotency.interceptor';
import { Create{{Name}}Dto } from './dto/create-{{name-kebab}}.dto';
import { List{{Names}}QueryDto } from './dto/list-{{names-kebab}}.dto';
import { Update{{Name}}Dto } from './dto/update-{{name-kebab}}.dto';
import { {{Name}}IdDto } from './dto/{{name-kebab}}-id.dto';
import { {{Name}} } from './{{name-kebab}}.model';
import { {{Names}}Service } from './{{names-kebab}}.service';

/** A {{nameText}} as JSON over HTTP. */
export interface {{Name}}Json {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface {{Name}}ListJson {
  items: {{Name}}Json[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

@Controller('{{names-kebab}}')
export class {{Names}}HttpController {
  constructor(private readonly {{names}}: {{Names}}Service) {}

  @Post()
  @Idempotent()
  async create(@Body() body: Create{{Name}}Dto): Promise<{{Name}}Json> {
    return toJson(await this.{{names}}.create(body));
  }

  @Get(':id')
  async get(@Param() params: {{Name}}IdDto): Promise<{{Name}}Json> {
    return toJson(await this.{{names}}.get(params.id));
  }

  @Get()
  async list(@Query() query: List{{Names}}QueryDto): Promise<{{Name}}ListJson> {
    const page = await this.{{names}}.list({ limit: query.limit, cursor: query.cursor });
    return { items: page.{{names}}.map(toJson), nextCursor: page.nextCursor ?? null };
  }

  @Patch(':id')
  @Idempotent()
  async update(@Param() params: {{Name}}IdDto, @Body() body: Update{{Name}}Dto): Promise<{{Name}}Json> {
    return toJson(await this.{{names}}.update(params.id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @Idempotent()
  async delete(@Param() params: {{Name}}IdDto): Promise<void> {
    await this.{{names}}.delete(params.id);
  }
}

function toJson(entity: {{Name}}): {{Name}}Json {
  return {
    id: entity.id,
    name: entity.name,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
  };
}
