import { Is{{Name}}Name } from './{{name-kebab}}-fields';

/** `POST /{{names-kebab}}` body and the Create{{Name}} message. */
export class Create{{Name}}Dto {
  @Is{{Name}}Name()
  name!: string;
}
