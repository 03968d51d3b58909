import { DomainError, ValidationError } from '@ozvps/core';

/**
 * Sign-up refused for a reason a stranger must not learn (today: the email is registered). The
 * same status, code and words whatever the reason, so the answer does not reveal who has an account.
 */
export class SignupRefusedError extends ValidationError {
  override readonly code = 'signup_refused';

  constructor() {
    super(
      'We could not create an account with these details. If you already have an account, sign in or ask for help.',
    );
  }
}

/** Top-up and deploy wait until the customer has confirmed their email address (HTTP 403). */
export class EmailUnverifiedError extends DomainError {
  readonly code = 'email_unverified';

  constructor() {
    super(
      'Confirm your email address first: open the link we emailed you, or ask for a new one from the banner at the top of the page.',
    );
  }
}

export type AccountTokenProblem = 'token_invalid' | 'token_expired' | 'token_used' | 'token_other_account';

const TOKEN_MESSAGES: Record<AccountTokenProblem, string> = {
  token_invalid:
    'This link is not valid. Check that you opened the whole link from the email, or ask for a new one.',
  token_expired: 'This link has expired. Ask for a new one.',
  token_used:
    'This link has already been used (or a newer one was sent). Ask for a new one if you still need it.',
  token_other_account:
    'This link belongs to another account. Sign out, then open the link again (or sign in to the account it was sent to).',
};

/** An emailed link that cannot be used: unknown, expired, used, or for someone else. */
export class AccountTokenError extends ValidationError {
  override readonly code: AccountTokenProblem;

  constructor(problem: AccountTokenProblem) {
    super(TOKEN_MESSAGES[problem]);
    this.code = problem;
  }
}

/** The address is already the user's. */
export class EmailUnchangedError extends ValidationError {
  override readonly code = 'email_unchanged';

  constructor() {
    super('That is already your email address');
  }
}
