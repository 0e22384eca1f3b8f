import { ApiProperty } from '@nestjs/swagger';
import { AGE_MAX } from './user-fields';

/** A user as JSON over HTTP. */
export class UserResponse {
  @ApiProperty({ format: 'uuid', example: '0190a1f2-7c3e-7d4a-9b1c-2e3f4a5b6c7d' })
  id!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ format: 'email', example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: AGE_MAX, example: 36 })
  age!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** One page of `GET /users`. */
export class UserListResponse {
  @ApiProperty({ type: [UserResponse] })
  items!: UserResponse[];

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Pass as `cursor` to get the next page; null on the last page',
  })
  nextCursor!: string | null;
}
