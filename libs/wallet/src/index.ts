export * from './errors';
export * from './wallet.entity';
export * from './wallet.module';
export { LEDGER_CHANGED, LedgerChangedEvent } from './ledger-changed.event';
export { WalletService, CREDIT_TYPES, DEBIT_TYPES } from './wallet.service';
export type {
  AdminAdjustment,
  CreditInput,
  DebitInput,
  WalletBalance,
  VerifyReport,
  WrittenTransaction,
} from './wallet.service';
export type { WalletDrift } from './wallet.repository';

import { Wallet, WalletTransaction } from './wallet.entity';
export const WALLET_ENTITIES = [Wallet, WalletTransaction];
export { toTransactionPage, toTransactionView } from './transaction.view';
