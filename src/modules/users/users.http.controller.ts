import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { ExportUsersQueryDto } from './dto/export-users.dto';
import { Idempotent } from '../../core/idempotency/idempotency.interceptor';
import { LongRunning } from '../../core/protection/deadline.interceptor';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { ParseUserIdPipe } from './dto/user-id.dto';
import { User } from './user.model';
import { UsersService } from './users.service';

/** A user as JSON over HTTP. */
export interface UserJson {
  id: string;
  name: string;
  email: string;
  age: number;
  createdAt: string;
  updatedAt: string;
}

export interface UserListJson {
  items: UserJson[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

@Controller('users')
export class UsersHttpController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Idempotent()
  async create(@Body() body: CreateUserDto): Promise<UserJson> {
    return toUserJson(await this.users.create(body));
  }

  /**
   * Every user as NDJSON, one per line. Declared before `:id` so the path is not taken for an
   * id. The stream is pulled by the client's reads (backpressure all the way to the database).
   */
  @Get('export')
  @LongRunning()
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
  async get(@Param('id', ParseUserIdPipe) id: string): Promise<UserJson> {
    return toUserJson(await this.users.get(id));
  }

  @Get()
  async list(@Query() query: ListUsersQueryDto): Promise<UserListJson> {
    const page = await this.users.list({ limit: query.limit, cursor: query.cursor });
    return { items: page.users.map(toUserJson), nextCursor: page.nextCursor ?? null };
  }

  @Patch(':id')
  @Idempotent()
  async update(@Param('id', ParseUserIdPipe) id: string, @Body() body: UpdateUserDto): Promise<UserJson> {
    return toUserJson(await this.users.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @Idempotent()
  async delete(@Param('id', ParseUserIdPipe) id: string): Promise<void> {
    await this.users.delete(id);
  }
}

function toUserJson(user: User): UserJson {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    age: user.age,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
