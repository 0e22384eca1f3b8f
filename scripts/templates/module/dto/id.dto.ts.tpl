import { Is{{Name}}Id } from './{{name-kebab}}-fields';

/** `/{{names-kebab}}/:id` path parameters, and the Get{{Name}} / Delete{{Name}} messages. */
export class {{Name}}IdDto {
  @Is{{Name}}Id()
  id!: string;
}
