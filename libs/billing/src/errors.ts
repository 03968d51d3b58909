import { DomainError, NotFoundError, ValidationError } from '@ozvps/core';

export class StripeNotConfiguredError extends DomainError {
  readonly code = 'stripe_not_configured';

  constructor() {
    super('Payments are not configured on this panel (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET)');
  }
}

/** Stripe failed or could not be reached; nothing was charged and nothing half-made was kept. */
export class StripeUnavailableError extends DomainError {
  readonly code = 'stripe_unavailable';
}

/** The webhook's signature did not verify against any configured secret (the only 400 it answers). */
export class WebhookSignatureError extends ValidationError {
  override readonly code = 'invalid_signature';
}

/** A live-mode event reached test keys, or the reverse: a configuration error, refused loudly. */
export class WebhookModeMismatchError extends ValidationError {
  override readonly code = 'livemode_mismatch';
}

export class TopupNotFoundError extends NotFoundError {
  override readonly code = 'topup_not_found';

  constructor() {
    super('No such top-up');
  }
}
