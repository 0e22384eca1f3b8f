import { NotFoundError } from '../../core/errors/app-error';

export class {{Name}}NotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`{{NameText}} ${id} was not found`);
  }
}
