import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { MAX_PAGE_SIZE } from '../{{names-kebab}}.service';
import { Is{{Name}}Id } from './{{name-kebab}}-fields';

/** `GET /{{names-kebab}}?limit=&cursor=`; the cursor is the id of the last {{nameText}} of the previous page. */
export class List{{Names}}QueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

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
