import { IsAbsentOr, IsUserAge, IsUserEmail, IsUserId, IsUserName } from './user-fields';

/** HTTP PATCH body: only the fields present change. */
export class UpdateUserDto {
  @IsAbsentOr()
  @IsUserName()
  name?: string;

  @IsAbsentOr()
  @IsUserEmail()
  email?: string;

  @IsAbsentOr()
  @IsUserAge()
  age?: number;
}

/** gRPC UpdateUser: the id travels in the message. */
export class UpdateUserRequestDto extends UpdateUserDto {
  @IsUserId()
  id!: string;
}
