import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../users.service';
import { IsUserId } from './user-fields';

/** `GET /users?limit=&cursor=`; the cursor is the id of the last user of the previous page. */
export class ListUsersQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsUserId()
  cursor?: string;
}

/** gRPC ListUsers: page_size 0 means the default; page_token "" means the first page. */
export class ListUsersRequestDto {
  @IsInt()
  @Min(0)
  @Max(MAX_PAGE_SIZE)
  pageSize!: number;

  @ValidateIf((_object: object, value: unknown) => value !== '')
  @IsUserId()
  pageToken!: string;
}
