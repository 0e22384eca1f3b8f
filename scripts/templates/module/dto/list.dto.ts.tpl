import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../{{names-kebab}}.service';
import { Is{{Name}}Id } from './{{name-kebab}}-fields';

/** `GET /{{names-kebab}}?limit=&cursor=`; the cursor is the id of the last {{nameText}} of the previous page. */
export class List{{Names}}QueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @Is{{Name}}Id()
  cursor?: string;
}

/** gRPC List{{Names}}: page_size 0 means the default; page_token "" means the first page. */
export class List{{Names}}RequestDto {
  @IsInt()
  @Min(0)
  @Max(MAX_PAGE_SIZE)
  pageSize!: number;

  @ValidateIf((_object: object, value: unknown) => value !== '')
  @Is{{Name}}Id()
  pageToken!: string;
}
