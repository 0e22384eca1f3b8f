import { IsAbsentOr, Is{{Name}}Id, Is{{Name}}Name } from './{{name-kebab}}-fields';

/** HTTP PATCH body: only the fields present change. */
export class Update{{Name}}Dto {
  @IsAbsentOr()
  @Is{{Name}}Name()
  name?: string;
}

/** gRPC Update{{Name}}: the id travels in the message. */
export class Update{{Name}}RequestDto extends Update{{Name}}Dto {
  @Is{{Name}}Id()
  id!: string;
}
