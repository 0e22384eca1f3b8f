import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';

/**
 * The rules of each {{nameText}} field, shared by every DTO of both transports. Each decorator also
 * describes its field in the OpenAPI document, so the docs cannot drift from the validation.
 */
export const NAME_MAX_LENGTH = 100;

export const Is{{Name}}Name = () =>
  applyDecorators(
    ApiProperty({ type: String, minLength: 1, maxLength: NAME_MAX_LENGTH, example: 'First {{nameText}}' }),
    IsString(),
    Matches(/\S/, { message: '$property must not be empty' }),
    // Postgres rejects NUL in text; other control characters have no place in a name either.
    Matches(/^\P{Cc}*$/u, { message: '$property must not contain control characters' }),
    MaxLength(NAME_MAX_LENGTH),
  );

/** UUIDs are compared and cached in lower case, whatever case the caller used. */
export const Is{{Name}}Id = () =>
  applyDecorators(
    ApiProperty({ type: String, format: 'uuid', example: '0190a1f2-7c3e-7d4a-9b1c-2e3f4a5b6c7d' }),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value)),
    IsUUID('all', { message: '$property must be a UUID' }),
  );

/** Optional, but `null` is still a wrong type rather than "absent". */
export const IsAbsentOr = () =>
  applyDecorators(
    ApiProperty({ required: false }),
    ValidateIf((_object: object, value: unknown) => value !== undefined),
  );
