import { ConflictError, NotFoundError } from '@ozvps/core';

export class UserNotFoundError extends NotFoundError {
  override readonly code = 'user_not_found';

  constructor(reference: string | number) {
    super(`No user ${typeof reference === 'number' ? `with id ${reference}` : `"${reference}"`}`);
  }
}

export class EmailTakenError extends ConflictError {
  override readonly code = 'email_taken';

  constructor(email: string) {
    super(`A user with the email ${email} already exists`);
  }
}
