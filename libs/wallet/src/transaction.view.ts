import type { Transaction, TransactionPage } from '@ozvps/contracts';
import { WalletTransaction } from './wallet.entity';

/** A page of ledger rows as the API answers it: newest first, `nextBefore` for the next page. */
export function toTransactionPage(rows: WalletTransaction[]): TransactionPage {
  return {
    transactions: rows.map(toTransactionView),
    nextBefore: rows.length > 0 ? rows[rows.length - 1]!.id : null,
  };
}

/** A ledger row as the API shows it to its owner and to admins. */
export function toTransactionView(t: WalletTransaction): Transaction {
  return {
    id: t.id,
    type: t.type,
    amountCents: t.amountCents,
    balanceAfterCents: t.balanceAfterCents,
    reason: t.reason,
    createdAt: t.createdAt.toISOString(),
  };
}
