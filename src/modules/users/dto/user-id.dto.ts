import { Injectable, PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ValidationError } from '../../../core/errors/app-error';
import { IsUserId, normalizeUserId, USER_ID_VERSION } from './user-fields';

/** The GetUser / DeleteUser messages (the `/users/:id` path parameter: ParseUserIdPipe). */
export class UserIdDto {
  @IsUserId()
  id!: string;
}

/**
 * `@Param('id', ParseUserIdPipe)`: UserIdDto's rule (lower-cased, then a UUID) and its error,
 * for a path parameter. The global ValidationPipe on a one-field DTO (class-transformer, then
 * class-validator) was a measurable share of a cached `GET /users/:id`.
 */
@Injectable()
export class ParseUserIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    const id = normalizeUserId(value);
    if (typeof id !== 'string' || !isUUID(id, USER_ID_VERSION)) {
      throw new ValidationError([{ field: 'id', message: 'id must be a UUID' }]);
    }
    return id;
  }
}
