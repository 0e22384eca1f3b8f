import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../core/errors/error-codes';
import { Idempotent } from '../../core/idempotency/idempotency.interceptor';
import { ApiCommonProblems, ApiProblems } from '../../core/openapi/problem';
import { Create{{Name}}Dto } from './dto/create-{{name-kebab}}.dto';
import { List{{Names}}QueryDto } from './dto/list-{{names-kebab}}.dto';
import { Update{{Name}}Dto } from './dto/update-{{name-kebab}}.dto';
import { {{Name}}IdDto } from './dto/{{name-kebab}}-id.dto';
import { {{Name}}ListResponse, {{Name}}Response } from './dto/{{name-kebab}}.response';
import { {{Name}} } from './{{name-kebab}}.model';
import { {{Names}}Service } from './{{names-kebab}}.service';

@ApiTags('{{names-kebab}}')
@ApiCommonProblems()
@Controller('{{names-kebab}}')
export class {{Names}}HttpController {
  constructor(private readonly {{names}}: {{Names}}Service) {}

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Create a {{nameText}}' })
  @ApiCreatedResponse({ type: {{Name}}Response })
  @ApiProblems(ErrorCode.INVALID_ARGUMENT, ErrorCode.PAYLOAD_TOO_LARGE)
  async create(@Body() body: Create{{Name}}Dto): Promise<{{Name}}Response> {
    return toJson(await this.{{names}}.create(body));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a {{nameText}}' })
  @ApiOkResponse({ type: {{Name}}Response })
  @ApiProblems(ErrorCode.INVALID_ARGUMENT, ErrorCode.NOT_FOUND)
  async get(@Param() params: {{Name}}IdDto): Promise<{{Name}}Response> {
    return toJson(await this.{{names}}.get(params.id));
  }

  @Get()
  @ApiOperation({ summary: 'List {{namesText}}, oldest first, one page at a time' })
  @ApiOkResponse({ type: {{Name}}ListResponse })
  @ApiProblems(ErrorCode.INVALID_ARGUMENT)
  async list(@Query() query: List{{Names}}QueryDto): Promise<{{Name}}ListResponse> {
    const page = await this.{{names}}.list({ limit: query.limit, cursor: query.cursor });
    return { items: page.{{names}}.map(toJson), nextCursor: page.nextCursor ?? null };
  }

  @Patch(':id')
  @Idempotent()
  @ApiOperation({ summary: 'Change some fields of a {{nameText}}' })
  @ApiOkResponse({ type: {{Name}}Response })
  @ApiProblems(ErrorCode.INVALID_ARGUMENT, ErrorCode.NOT_FOUND, ErrorCode.PAYLOAD_TOO_LARGE)
  async update(@Param() params: {{Name}}IdDto, @Body() body: Update{{Name}}Dto): Promise<{{Name}}Response> {
    return toJson(await this.{{names}}.update(params.id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @Idempotent()
  @ApiOperation({ summary: 'Delete a {{nameText}}' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(ErrorCode.INVALID_ARGUMENT, ErrorCode.NOT_FOUND)
  async delete(@Param() params: {{Name}}IdDto): Promise<void> {
    await this.{{names}}.delete(params.id);
  }
}

function toJson(entity: {{Name}}): {{Name}}Response {
  return {
    id: entity.id,
    name: entity.name,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
  };
}
