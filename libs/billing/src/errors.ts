import { ConflictError, DomainError, NotFoundError, ValidationError } from '@ozvps/core';
import type { WebhookFailureReason } from './billing.entity';

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

/** The webhook's signature did not verify against any configured secret: answered 400, counted. */
export class WebhookSignatureError extends ValidationError {
  override readonly code = 'invalid_signature';

  constructor(
    message: string,
    readonly reason: Exclude<WebhookFailureReason, 'unreadable'>,
  ) {
    super(message);
  }
}

/**
 * A signed delivery the handler cannot read (not JSON, no `data.object`, wrong field shapes):
 * answered 400, because Stripe retrying the same bytes for three days would not make them readable.
 */
export class WebhookMalformedError extends ValidationError {
  override readonly code = 'malformed_event';
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

/** Too many checkouts opened and not yet paid (or closed); nothing was written, nothing sent to Stripe. */
export class TooManyOpenTopupsError extends ConflictError {
  override readonly code = 'too_many_open_topups';

  constructor(max: number) {
    super(
      `You have ${max} top-ups waiting for payment: pay one of them, or wait for an unpaid checkout to close (within 24 hours), first.`,
    );
  }
}
