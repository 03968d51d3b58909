import { ValidationError } from '@ozvps/core';

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
