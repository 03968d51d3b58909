import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError } from '@ozvps/core';

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

/** Said only after the password (or the identity provider) has proved who is signing in. */
export class AccountDisabledError extends UnauthenticatedError {
  override readonly code = 'account_disabled';

  constructor() {
    super('This account is disabled: contact support');
  }
}

export class SelfDisableError extends ValidationError {
  override readonly code = 'cannot_disable_self';

  constructor() {
    super('Admins cannot disable their own account');
  }
}

/** The current password, asked again before a change of password or email, was wrong. */
export class WrongPasswordError extends ValidationError {
  override readonly code = 'wrong_password';

  constructor() {
    super('Your current password is not correct');
  }
}

export class SessionNotFoundError extends NotFoundError {
  override readonly code = 'session_not_found';

  constructor() {
    super('No such active session on your account');
  }
}
