import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsEmail, IsInt, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/** The rules of each user field, shared by every DTO of both transports. */
export const NAME_MAX_LENGTH = 100;
export const EMAIL_MAX_LENGTH = 254;
export const AGE_MAX = 150;

export const IsUserName = () =>
  applyDecorators(
    IsString(),
    Matches(/\S/, { message: '$property must not be empty' }),
    // Postgres rejects NUL in text; other control characters have no place in a name either.
    Matches(/^\P{Cc}*$/u, { message: '$property must not contain control characters' }),
    MaxLength(NAME_MAX_LENGTH),
  );

export const IsUserEmail = () =>
  applyDecorators(
    IsString(),
    MaxLength(EMAIL_MAX_LENGTH),
    IsEmail({}, { message: '$property must be an email address' }),
  );

export const IsUserAge = () => applyDecorators(IsInt(), Min(0), Max(AGE_MAX));

/** UUIDs are compared and cached in lower case, whatever case the caller used. */
export const IsUserId = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => normalizeUserId(value)),
    IsUUID(USER_ID_VERSION, { message: '$property must be a UUID' }),
  );

export const USER_ID_VERSION = 'all';

export function normalizeUserId(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

/** Optional, but `null` is still a wrong type rather than "absent". */
export const IsAbsentOr = () => ValidateIf((_object: object, value: unknown) => value !== undefined);
