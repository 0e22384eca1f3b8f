import { Controller } from '@nestjs/common';
import type { Metadata, ServerWritableStream } from '@grpc/grpc-js';
import { Ctx, Payload } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import { GrpcCall } from '../../core/grpc/grpc-call.decorator';
import { Idempotent } from '../../core/idempotency/idempotency.interceptor';
import { LongRunning } from '../../core/protection/deadline';
import { streamToCall } from '../../core/grpc/server-stream';
import { Timestamp } from '../../generated/google/protobuf/timestamp';
import {
  CreateUserResponse,
  DeleteUserResponse,
  ExportUsersResponse,
  GetUserResponse,
  ListUsersResponse,
  UpdateUserResponse,
  User as UserMessage,
  UserServiceController,
  UserServiceControllerMethods,
} from '../../generated/user/v1/user';
import { CreateUserDto } from './dto/create-user.dto';
import { ExportUsersRequestDto } from './dto/export-users.dto';
import { ListUsersRequestDto } from './dto/list-users.dto';
import { UpdateUserRequestDto } from './dto/update-user.dto';
import { UserIdMessagePipe } from './dto/user-id.dto';
// Interfaces, so the global ValidationPipe leaves them to UserIdMessagePipe.
import type { DeleteUserRequest, GetUserRequest } from '../../generated/user/v1/user';
import { User } from './user.model';
import { UsersService } from './users.service';

/** `user.v1.UserService`, implementing the interface generated from the proto. */
@Controller()
@UserServiceControllerMethods()
export class UsersGrpcController implements UserServiceController {
  constructor(private readonly users: UsersService) {}

  @Idempotent()
  async createUser(@Payload() request: CreateUserDto): Promise<CreateUserResponse> {
    return { user: toUserMessage(await this.users.create(request)) };
  }

  async getUser(@Payload(UserIdMessagePipe) request: GetUserRequest): Promise<GetUserResponse> {
    return { user: toUserMessage(await this.users.get(request.id)) };
  }

  async listUsers(@Payload() request: ListUsersRequestDto): Promise<ListUsersResponse> {
    const page = await this.users.list({ limit: request.pageSize, cursor: request.pageToken });
    return { users: page.users.map(toUserMessage), nextPageToken: page.nextCursor ?? '' };
  }

  @Idempotent()
  async updateUser(@Payload() request: UpdateUserRequestDto): Promise<UpdateUserResponse> {
    const { id, ...changes } = request;
    return { user: toUserMessage(await this.users.update(id, changes)) };
  }

  @Idempotent()
  async deleteUser(@Payload(UserIdMessagePipe) request: DeleteUserRequest): Promise<DeleteUserResponse> {
    await this.users.delete(request.id);
    return {};
  }

  /** Streams with flow control: a slow client holds back the database reads too. */
  @LongRunning()
  exportUsers(
    @Payload() request: ExportUsersRequestDto,
    // Optional only to match the generated signature; Nest always passes both.
    @Ctx() _metadata?: Metadata,
    @GrpcCall() call?: ServerWritableStream<unknown, ExportUsersResponse>,
  ): Observable<ExportUsersResponse> {
    return streamToCall(call, this.users.exportAll(request.afterId), (user) => ({ user: toUserMessage(user) }));
  }
}

function toUserMessage(user: User): UserMessage {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    age: user.age,
    createTime: toTimestamp(user.createdAt),
    updateTime: toTimestamp(user.updatedAt),
  };
}

function toTimestamp(date: Date): Timestamp {
  const millis = date.getTime();
  return { seconds: Math.floor(millis / 1000), nanos: (millis % 1000) * 1_000_000 };
}
