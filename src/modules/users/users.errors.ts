import { AlreadyExistsError, NotFoundError } from '../../core/errors/app-error';

export class UserNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`User ${id} was not found`);
  }
}

export class UserEmailTakenError extends AlreadyExistsError {
  constructor(email: string) {
    super(`A user with email ${email} already exists`);
  }
}
