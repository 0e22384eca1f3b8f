import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, StreamableFile } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { ErrorCode } from '../../core/errors/error-codes';
import { ApiCommonProblems, ApiProblems } from '../../core/openapi/problem';
import { ExportUsersQueryDto } from './dto/export-users.dto';
import { Idempotent } from '../../core/idempotency/idempotency.interceptor';
import { LongRunning } from '../../core/protection/deadline';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { ParseUserIdPipe } from './dto/user-id.dto';
import { UserListResponse, UserResponse } from './dto/user.response';
import { User } from './user.model';
import { UsersService } from './users.service';

/** `:id` in the OpenAPI document (ParseUserIdPipe checks it). */
const ApiUserId = () =>
  ApiParam({ name: 'id', type: String, format: 'uuid', example: '0190a1f2-7c3e-7d4a-9b1c-2e3f4a5b6c7d' });

@ApiTags('users')
@ApiCommonProblems()
@Controller('users')
export class UsersHttpController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiProblems(ErrorCode.INVALID_ARGUMENT, ErrorCode.ALREADY_EXISTS, ErrorCode.PAYLOAD_TOO_LARGE)
  async create(@Body() body: CreateUserDto): Promise<UserResponse> {
    return toUserJson(await this.users.create(body));
  }

  /**
   * Every user as NDJSON, one per line. Declared before `:id` so the path is not taken for an
   * id. The stream is pulled by the client's reads (backpressure all the way to the database).
   */
  @Get('export')
  @LongRunning()
  @ApiOperation({
    summary: 'Export every user as NDJSON',
    description: 'Resumable: pass the last id received as `after`.',
  })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({
    description: 'One user JSON object per line, in creation order',
    content: { 'application/x-ndjson': { schema: { type: 'string' } } },
  })
  @ApiProblems(ErrorCode.INVALID_ARGUMENT)
  async export(@Query() query: ExportUsersQueryDto): Promise<StreamableFile> {
    const users = await this.users.exportAll(query.after);
    const lines = Readable.from(
      (async function* () {
        for await (const user of users) yield `${JSON.stringify(toUserJson(user))}\n`;
      })(),
    );
    return new StreamableFile(lines, { type: 'application/x-ndjson' });
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user' })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(ErrorCode.INVALID_ARGUMENT, ErrorCode.NOT_FOUND)
  @ApiUserId()
  async get(@Param('id', ParseUserIdPipe) id: string): Promise<UserResponse> {
    return toUserJson(await this.users.get(id));
  }

  @Get()
  @ApiOperation({ summary: 'List users, oldest first, one page at a time' })
  @ApiOkResponse({ type: UserListResponse })
  @ApiProblems(ErrorCode.INVALID_ARGUMENT)
  async list(@Query() query: ListUsersQueryDto): Promise<UserListResponse> {
    const page = await this.users.list({ limit: query.limit, cursor: query.cursor });
    return { items: page.users.map(toUserJson), nextCursor: page.nextCursor ?? null };
  }

  @Patch(':id')
  @Idempotent()
  @ApiOperation({ summary: 'Change some fields of a user' })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(ErrorCode.INVALID_ARGUMENT, ErrorCode.NOT_FOUND, ErrorCode.ALREADY_EXISTS, ErrorCode.PAYLOAD_TOO_LARGE)
  @ApiUserId()
  async update(@Param('id', ParseUserIdPipe) id: string, @Body() body: UpdateUserDto): Promise<UserResponse> {
    return toUserJson(await this.users.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @Idempotent()
  @ApiOperation({ summary: 'Delete a user' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(ErrorCode.INVALID_ARGUMENT, ErrorCode.NOT_FOUND)
  @ApiUserId()
  async delete(@Param('id', ParseUserIdPipe) id: string): Promise<void> {
    await this.users.delete(id);
  }
}

function toUserJson(user: User): UserResponse {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    age: user.age,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
