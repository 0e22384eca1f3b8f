import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsInt, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/**
 * The rules of each user field, shared by every DTO of both transports. Each decorator also
 * describes its field in the OpenAPI document, so the docs cannot drift from the validation.
 */
export const NAME_MAX_LENGTH = 100;
export const EMAIL_MAX_LENGTH = 254;
export const AGE_MAX = 150;

export const IsUserName = () =>
  applyDecorators(
    ApiProperty({ type: String, minLength: 1, maxLength: NAME_MAX_LENGTH, example: 'Ada Lovelace' }),
    IsString(),
    Matches(/\S/, { message: '$property must not be empty' }),
    // Postgres rejects NUL in text; other control characters have no place in a name either.
    Matches(/^\P{Cc}*$/u, { message: '$property must not contain control characters' }),
    MaxLength(NAME_MAX_LENGTH),
  );

export const IsUserEmail = () =>
  applyDecorators(
    ApiProperty({ type: String, format: 'email', maxLength: EMAIL_MAX_LENGTH, example: 'ada@example.com' }),
    IsString(),
    MaxLength(EMAIL_MAX_LENGTH),
    IsEmail({}, { message: '$property must be an email address' }),
  );

export const IsUserAge = () =>
  applyDecorators(
    ApiProperty({ type: 'integer', minimum: 0, maximum: AGE_MAX, example: 36 }),
    IsInt(),
    Min(0),
    Max(AGE_MAX),
  );

/** UUIDs are compared and cached in lower case, whatever case the caller used. */
export const IsUserId = () =>
  applyDecorators(
    ApiProperty({ type: String, format: 'uuid', example: '0190a1f2-7c3e-7d4a-9b1c-2e3f4a5b6c7d' }),
    Transform(({ value }: { value: unknown }) => normalizeUserId(value)),
    IsUUID(USER_ID_VERSION, { message: '$property must be a UUID' }),
  );

export const USER_ID_VERSION = 'all';

export function normalizeUserId(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

/** Optional, but `null` is still a wrong type rather than "absent". */
export const IsAbsentOr = () =>
  applyDecorators(
    ApiProperty({ required: false }),
    ValidateIf((_object: object, value: unknown) => value !== undefined),
  );
