import { ApiProperty } from '@nestjs/swagger';

/** A {{nameText}} as JSON over HTTP. */
export class {{Name}}Response {
  @ApiProperty({ format: 'uuid', example: '0190a1f2-7c3e-7d4a-9b1c-2e3f4a5b6c7d' })
  id!: string;

  @ApiProperty({ example: 'First {{nameText}}' })
  name!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** One page of `GET /{{names-kebab}}`. */
export class {{Name}}ListResponse {
  @ApiProperty({ type: [{{Name}}Response] })
  items!: {{Name}}Response[];

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Pass as `cursor` to get the next page; null on the last page',
  })
  nextCursor!: string | null;
}
