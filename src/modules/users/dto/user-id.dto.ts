import { IsUserId } from './user-fields';

/** `/users/:id` path parameters, and the GetUser / DeleteUser messages. */
export class UserIdDto {
  @IsUserId()
  id!: string;
}
