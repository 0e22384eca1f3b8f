import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';

/** The rules of each {{nameText}} field, shared by every DTO of both transports. */
export const NAME_MAX_LENGTH = 100;

export const Is{{Name}}Name = () =>
  applyDecorators(
    IsString(),
    Matches(/\S/, { message: '$property must not be empty' }),
    // Postgres rejects NUL in text; other control characters have no place in a name either.
    Matches(/^\P{Cc}*$/u, { message: '$property must not contain control characters' }),
    MaxLength(NAME_MAX_LENGTH),
  );

/** UUIDs are compared and cached in lower case, whatever case the caller used. */
export const Is{{Name}}Id = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value)),
    IsUUID('all', { message: '$property must be a UUID' }),
  );

/** Optional, but `null` is still a wrong type rather than "absent". */
export const IsAbsentOr = () => ValidateIf((_object: object, value: unknown) => value !== undefined);
