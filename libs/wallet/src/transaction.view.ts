import { WalletTransaction } from './wallet.entity';

/** A ledger row as the API shows it to its owner and to admins. */
export function toTransactionView(t: WalletTransaction) {
  return {
    id: t.id,
    type: t.type,
    amountCents: t.amountCents,
    balanceAfterCents: t.balanceAfterCents,
    reason: t.reason,
    createdAt: t.createdAt.toISOString(),
  };
}
