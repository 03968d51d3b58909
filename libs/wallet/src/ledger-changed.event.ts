import type { TransactionType } from './wallet.entity';

/** The event name of a committed ledger row (see LedgerChangedEvent). */
export const LEDGER_CHANGED = 'wallet.ledger-changed';

/**
 * A balance change is committed: one row in wallet_transactions. Emitted once the transaction
 * that wrote it commits (never for one that rolls back), whoever opened that transaction. Only
 * the API listens (metrics).
 */
export class LedgerChangedEvent {
  constructor(
    readonly userId: number,
    readonly type: TransactionType,
    /** Signed: credits positive, debits negative. */
    readonly amountCents: number,
  ) {}
}
