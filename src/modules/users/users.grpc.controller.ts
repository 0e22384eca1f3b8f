import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Timestamp } from '../../generated/google/protobuf/timestamp';
import {
  CreateUserResponse,
  DeleteUserResponse,
  GetUserResponse,
  ListUsersResponse,
  UpdateUserResponse,
  User as UserMessage,
  UserServiceController,
  UserServiceControllerMethods,
} from '../../generated/user/v1/user';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersRequestDto } from './dto/list-users.dto';
import { UpdateUserRequestDto } from './dto/update-user.dto';
import { UserIdDto } from './dto/user-id.dto';
import { User } from './user.model';
import { UsersService } from './users.service';

/** `user.v1.UserService`, implementing the interface generated from the proto. */
@Controller()
@UserServiceControllerMethods()
export class UsersGrpcController implements UserServiceController {
  constructor(private readonly users: UsersService) {}

  async createUser(@Payload() request: CreateUserDto): Promise<CreateUserResponse> {
    return { user: toUserMessage(await this.users.create(request)) };
  }

  async getUser(@Payload() request: UserIdDto): Promise<GetUserResponse> {
    return { user: toUserMessage(await this.users.get(request.id)) };
  }

  async listUsers(@Payload() request: ListUsersRequestDto): Promise<ListUsersResponse> {
    const page = await this.users.list({ limit: request.pageSize, cursor: request.pageToken });
    return { users: page.users.map(toUserMessage), nextPageToken: page.nextCursor ?? '' };
  }

  async updateUser(@Payload() request: UpdateUserRequestDto): Promise<UpdateUserResponse> {
    const { id, ...changes } = request;
    return { user: toUserMessage(await this.users.update(id, changes)) };
  }

  async deleteUser(@Payload() request: UserIdDto): Promise<DeleteUserResponse> {
    await this.users.delete(request.id);
    return {};
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
