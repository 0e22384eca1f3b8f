import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, ValidateIf } from 'class-validator';
import { IsUserId } from './user-fields';

/** `GET /users/export?after=`: resume an export after the last id received. */
export class ExportUsersQueryDto {
  @ApiPropertyOptional({ description: 'The id of the last user received, to resume an export' })
  @IsOptional()
  @IsUserId()
  after?: string;
}

/** gRPC ExportUsers: after_id "" starts at the beginning. */
export class ExportUsersRequestDto {
  @ValidateIf((_object: object, value: unknown) => value !== '')
  @IsUserId()
  afterId!: string;
}
