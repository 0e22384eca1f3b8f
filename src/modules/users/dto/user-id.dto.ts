import { Injectable, PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ValidationError } from '../../../core/errors/app-error';
import { normalizeUserId, USER_ID_VERSION } from './user-fields';

/** The rule of IsUserId (lower-cased, then a UUID) and its error, for one value. */
export function parseUserId(value: unknown): string {
  const id = normalizeUserId(value);
  if (typeof id !== 'string' || !isUUID(id, USER_ID_VERSION)) {
    throw new ValidationError([{ field: 'id', message: 'id must be a UUID' }]);
  }
  return id;
}

/**
 * `@Param('id', ParseUserIdPipe)`: the user id rule and error for a path parameter. The global
 * ValidationPipe on a one-field DTO (class-transformer, then class-validator) was a measurable
 * share of a cached `GET /users/:id`.
 */
@Injectable()
export class ParseUserIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    return parseUserId(value);
  }
}

/**
 * `@Payload(UserIdMessagePipe)` on a GetUser / DeleteUser message typed by its interface (which
 * the global ValidationPipe passes through): the same check, for the one field
 * such a message has.
 */
@Injectable()
export class UserIdMessagePipe implements PipeTransform<unknown, { id: string }> {
  transform(value: unknown): { id: string } {
    return { id: parseUserId((value as { id?: unknown } | null | undefined)?.id) };
  }
}
