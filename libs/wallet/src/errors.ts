import { ConflictError, DomainError, formatCents } from '@ozvps/core';

export class InsufficientFundsError extends DomainError {
  readonly code = 'insufficient_funds';

  constructor(
    readonly balanceCents: number,
    readonly requestedCents: number,
    currency: string,
  ) {
    super(
      `Insufficient funds: the balance is ${formatCents(balanceCents, currency)} and ${formatCents(requestedCents, currency)} was requested. Top up the wallet first.`,
    );
  }
}

export class CurrencyMismatchError extends ConflictError {
  override readonly code = 'currency_mismatch';

  constructor(walletCurrency: string, configured: string) {
    super(
      `The wallet is kept in ${walletCurrency.toUpperCase()} but the panel is configured for ${configured.toUpperCase()} (WALLET_CURRENCY)`,
    );
  }
}

/** The Stripe event was already applied to a wallet; the caller treats this as success. */
export class DuplicateStripeEventError extends ConflictError {
  override readonly code = 'duplicate_event';

  constructor(readonly stripeEventId: string) {
    super(`Stripe event ${stripeEventId} has already been applied`);
  }
}

/** A row with this idempotency key exists already: the change it stands for has been made. */
export class DuplicateLedgerKeyError extends ConflictError {
  override readonly code = 'duplicate_ledger_key';

  constructor(readonly idempotencyKey: string) {
    super(`A ledger row with key ${idempotencyKey} already exists`);
  }
}

/** A request key already used for a different change (another amount, direction or user). */
export class RequestKeyReusedError extends ConflictError {
  override readonly code = 'request_key_reused';

  constructor() {
    super('This request key was already used for a different change; send a new key for a new change');
  }
}

/**
 * A credit (or a Stripe-imposed debit) found no wallet row to change even after making sure it
 * exists: a transient clash, never a lack of funds. It maps to a 5xx so that the caller (Stripe)
 * retries.
 */
export class WalletBusyError extends DomainError {
  readonly code = 'wallet_busy';

  constructor(readonly userId: number) {
    super(`The wallet of user ${userId} could not be changed just now; try again`);
  }
}
