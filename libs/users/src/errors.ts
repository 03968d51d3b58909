import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '@ozvps/core';

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

/** A session that has given its password but still owes its second factor. */
export class SecondFactorRequiredError extends ForbiddenError {
  override readonly code = 'two_factor_required';

  constructor() {
    super('Enter the code from your authenticator app (or a recovery code) to finish signing in');
  }
}

/** An admin without two-factor sign-in, while ADMIN_REQUIRE_2FA is on: only enrolment is open. */
export class TwoFactorEnrolmentRequiredError extends ForbiddenError {
  override readonly code = 'two_factor_enrolment_required';

  constructor() {
    super('Admins must set up two-factor sign-in first: open the enrolment page');
  }
}

/** A wrong, expired or already used code (TOTP or recovery). */
export class InvalidSecondFactorError extends UnauthenticatedError {
  override readonly code = 'invalid_two_factor_code';

  constructor() {
    super('That code is not valid (wrong, expired or already used)');
  }
}

/** Too many second-factor attempts: the waiting sign-in is ended; sign in again later. */
export class TooManySecondFactorAttemptsError extends DomainError {
  override readonly code = 'too_many_two_factor_attempts';

  constructor() {
    super('Too many attempts: wait a few minutes, then sign in again');
  }
}

/** Asked to verify a code with no sign-in waiting for one. */
export class NoPendingSignInError extends ConflictError {
  override readonly code = 'no_pending_sign_in';

  constructor() {
    super('There is no sign-in waiting for a code: sign in with your password first');
  }
}

export class TwoFactorAlreadyEnabledError extends ConflictError {
  override readonly code = 'two_factor_already_enabled';

  constructor() {
    super('Two-factor sign-in is already on; turn it off first to set it up again');
  }
}

export class TwoFactorNotEnabledError extends ConflictError {
  override readonly code = 'two_factor_not_enabled';

  constructor() {
    super('Two-factor sign-in is not on for this account');
  }
}

export class NoEnrolmentStartedError extends ConflictError {
  override readonly code = 'two_factor_enrolment_not_started';

  constructor() {
    super('Start the set-up first: there is no new secret to confirm');
  }
}

export class TwoFactorRequiredForAdminsError extends ConflictError {
  override readonly code = 'two_factor_required_for_admins';

  constructor() {
    super(
      'Admins must keep two-factor sign-in on (ADMIN_REQUIRE_2FA); set up a new device instead of turning it off',
    );
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
