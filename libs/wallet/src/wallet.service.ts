import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  ABSOLUTE_MAX_CENTS,
  APP_CONFIG,
  AppConfig,
  assertPositiveCents,
  AuditTrail,
  ValidationError,
  isUniqueViolation,
} from '@ozvps/core';
import { InvoicesService, SaleDetails } from '@ozvps/invoices';
import { UsersService } from '@ozvps/users';
import {
  CurrencyMismatchError,
  DuplicateLedgerKeyError,
  DuplicateStripeEventError,
  InsufficientFundsError,
  RequestKeyReusedError,
  WalletBusyError,
} from './errors';
import { LedgerChangedEvent } from './ledger-changed.event';
import { LedgerEvents } from './ledger-events';
import { TransactionType, WalletTransaction } from './wallet.entity';
import { WalletDrift, WalletRepository } from './wallet.repository';

export const CREDIT_TYPES = [
  'topup',
  'bonus',
  'admin_credit',
  'server_refund',
  'dispute_reinstated',
] as const;
export const DEBIT_TYPES = ['admin_debit', 'server_charge', 'stripe_refund', 'dispute_withdrawn'] as const;
/** Debits that Stripe imposes (the money already left): they may take a balance below zero. */
const MAY_GO_NEGATIVE: readonly TransactionType[] = ['stripe_refund', 'dispute_withdrawn'];

export interface BalanceChange {
  userId: number;
  amountCents: number;
  actor: string;
  reason: string;
  stripeEventId?: string;
  stripeCheckoutSessionId?: string;
  stripePaymentIntentId?: string;
  /** At most one ledger row ever carries a given key (e.g. `signup-credit:42`). */
  idempotencyKey?: string;
  /** What the document of a sale (or of its reversal) shows: the server, its plan and period. */
  sale?: SaleDetails;
}

export interface CreditInput extends BalanceChange {
  type: (typeof CREDIT_TYPES)[number];
}

export interface DebitInput extends BalanceChange {
  type: (typeof DEBIT_TYPES)[number];
}

/** A ledger row just written, with the number of the document issued for it (null: none). */
export type WrittenTransaction = WalletTransaction & { documentNumber: string | null };

/** A credit or deduction an admin makes by hand (web panel or ozvpsctl). */
export interface AdminAdjustment {
  userId: number;
  direction: 'credit' | 'debit';
  amountCents: number;
  reason: string;
  actor: string;
  /** The caller's key for this one change: a repeat (double click, retry) changes nothing. */
  requestKey?: string;
}

export interface WalletBalance {
  userId: number;
  balanceCents: number;
  currency: string;
}

export interface VerifyReport {
  walletsChecked: number;
  ok: boolean;
  drifted: WalletDrift[];
}

const MAX_REASON = 500;
const MAX_HISTORY_PAGE = 500;

/** The only code that changes a balance. Every change is one ledger row in the same transaction. */
@Injectable()
export class WalletService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly wallets: WalletRepository,
    private readonly users: UsersService,
    private readonly documents: InvoicesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ledgerEvents: LedgerEvents,
  ) {}

  /**
   * Opens the user's wallet (balance 0, the configured currency) if it has none; idempotent and
   * safe under concurrency. Every path that creates a user calls it in the same transaction.
   */
  openWallet(userId: number, em: EntityManager): Promise<void> {
    return this.wallets.ensureWallet(em, userId, this.config.walletCurrency);
  }

  /** Adds money to a wallet. Pass `em` to join a caller's transaction. */
  credit(input: CreditInput, em?: EntityManager): Promise<WrittenTransaction> {
    return this.change(input, +1, em);
  }

  /** Takes money from a wallet; InsufficientFundsError (nothing written) when the balance is short. */
  debit(input: DebitInput, em?: EntityManager): Promise<WrittenTransaction> {
    return this.change(input, -1, em);
  }

  /** The user's balance; a user who never had a wallet has 0 in the configured currency. */
  async balance(userId: number): Promise<WalletBalance> {
    await this.users.getById(userId);
    const wallet = await this.wallets.findByUserId(userId);
    return {
      userId,
      balanceCents: wallet?.balanceCents ?? 0,
      currency: wallet?.currency ?? this.config.walletCurrency,
    };
  }

  /**
   * What the wallet page's cards show: money topped up and money spent on servers, all time.
   * Read from the wallet row (kept as each ledger row is written), so it costs the same at any ledger size.
   */
  async totals(userId: number): Promise<{ toppedUpCents: number; spentCents: number }> {
    await this.users.getById(userId);
    const wallet = await this.wallets.findByUserId(userId);
    return { toppedUpCents: wallet?.toppedUpCents ?? 0, spentCents: wallet?.spentCents ?? 0 };
  }

  /** Ledger rows newest first, `limit` per page; pass the last id seen as `beforeId` for the next page. */
  async history(
    userId: number,
    options: { limit?: number; beforeId?: number } = {},
  ): Promise<WalletTransaction[]> {
    const limit = options.limit ?? 50;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_HISTORY_PAGE) {
      throw new ValidationError(`limit must be a whole number from 1 to ${MAX_HISTORY_PAGE}`);
    }
    await this.users.getById(userId);
    const wallet = await this.wallets.findByUserId(userId);
    return wallet ? this.wallets.history(wallet.id, limit, options.beforeId) : [];
  }

  /** Balances of several users at once (one query, for the admin users page); no wallet = absent. */
  balancesOf(userIds: number[]): Promise<Map<number, number>> {
    return this.wallets.balancesOf(userIds);
  }

  /** The sum of a Stripe payment's rows of one type, inside the caller's transaction. */
  sumForPaymentIntent(em: EntityManager, type: TransactionType, paymentIntentId: string): Promise<number> {
    return this.wallets.sumForPaymentIntent(em, type, paymentIntentId);
  }

  /** Whether the change keyed `key` has been made, inside the caller's transaction. */
  hasLedgerKey(em: EntityManager, key: string): Promise<boolean> {
    return this.wallets.hasKey(em, key);
  }

  /**
   * An admin's credit or debit (a debit never below zero). With `requestKey`, the same request
   * sent again, one after the other or at once, writes one row and answers it each time.
   */
  async adjustByAdmin(
    input: AdminAdjustment,
  ): Promise<{ transaction: WalletTransaction; duplicate: boolean }> {
    const idempotencyKey = input.requestKey ? `admin-adjust:${input.userId}:${input.requestKey}` : undefined;
    const change = { ...input, idempotencyKey };
    try {
      const transaction = await this.dataSource.transaction(async (em) => {
        const t =
          input.direction === 'credit'
            ? await this.credit({ ...change, type: 'admin_credit' }, em)
            : await this.debit({ ...change, type: 'admin_debit' }, em);
        await AuditTrail.record(em, {
          actor: input.actor,
          action: input.direction === 'credit' ? 'wallet.credit' : 'wallet.deduct',
          target: { type: 'user', id: input.userId },
          before: { balanceCents: t.balanceAfterCents - t.amountCents },
          after: { balanceCents: t.balanceAfterCents, transactionId: t.id, amountCents: t.amountCents },
          reason: input.reason,
        });
        return t;
      });
      return { transaction, duplicate: false };
    } catch (err) {
      // A repeat loses to the first at the unique key, or (a debit) at the balance the first one spent.
      const first = idempotencyKey && (await this.wallets.findByKey(idempotencyKey));
      if (!first) throw err;
      const signed = input.direction === 'credit' ? input.amountCents : -input.amountCents;
      if (first.amountCents !== signed) throw new RequestKeyReusedError();
      return { transaction: first, duplicate: true };
    }
  }

  /**
   * Checks, for every wallet, that balance = sum of its rows = its newest row's balance_after, and
   * that its kept totals (topped up, spent) equal the sums of the rows they count.
   */
  async verify(): Promise<VerifyReport> {
    const { checked, drifted } = await this.wallets.drift();
    return { walletsChecked: checked, ok: drifted.length === 0, drifted };
  }

  private async change(
    input: CreditInput | DebitInput,
    sign: 1 | -1,
    outer?: EntityManager,
  ): Promise<WrittenTransaction> {
    const amount = assertPositiveCents(input.amountCents, ABSOLUTE_MAX_CENTS);
    const reason = input.reason?.trim() ?? '';
    if (!reason) throw new ValidationError('a reason is required for every balance change');
    if (reason.length > MAX_REASON)
      throw new ValidationError(`reason must be at most ${MAX_REASON} characters`);
    if (!input.actor?.trim()) throw new ValidationError('an actor is required for every balance change');
    const allowed: readonly string[] = sign > 0 ? CREDIT_TYPES : DEBIT_TYPES;
    if (!allowed.includes(input.type))
      throw new ValidationError(`${input.type} is not a ${sign > 0 ? 'credit' : 'debit'} type`);

    const mayGoNegative = MAY_GO_NEGATIVE.includes(input.type);
    const currency = this.config.walletCurrency;
    const row = {
      type: input.type,
      amountCents: sign * amount,
      actor: input.actor.trim(),
      reason,
      stripeEventId: input.stripeEventId ?? null,
      stripeCheckoutSessionId: input.stripeCheckoutSessionId ?? null,
      stripePaymentIntentId: input.stripePaymentIntentId ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
    };
    const apply = (em: EntityManager) =>
      this.wallets.applyChange(
        em,
        { userId: input.userId, currency, onlyIfCovered: sign < 0 && !mayGoNegative },
        row,
      );

    // Every row that is a sale, a reversal or a top-up gets its numbered document in the same
    // transaction, here where rows are written, so no caller can forget one.
    const withDocument = async (em: EntityManager): Promise<WrittenTransaction> => {
      const written = await write(em);
      const document = await this.documents.issueFor(em, {
        id: written.id,
        userId: input.userId,
        type: written.type,
        amountCents: written.amountCents,
        currency,
        reason: written.reason,
        stripePaymentIntentId: written.stripePaymentIntentId,
        createdAt: written.createdAt,
        sale: input.sale,
      });
      return Object.assign(written, { documentNumber: document?.number ?? null });
    };

    const announced = (em: EntityManager, written: WalletTransaction) => {
      this.ledgerEvents.written(em, new LedgerChangedEvent(input.userId, input.type, sign * amount));
      return written;
    };
    const write = async (em: EntityManager) => {
      // The common case is one statement; only when it changes nothing do we ask why.
      const written = await apply(em);
      if (written) return announced(em, written);
      const wallet = await this.wallets.findByUserId(input.userId, em);
      const coveredOnly = sign < 0 && !mayGoNegative;
      if (wallet && wallet.currency !== currency) throw new CurrencyMismatchError(wallet.currency, currency);
      if (wallet && coveredOnly && wallet.balanceCents < amount)
        throw new InsufficientFundsError(wallet.balanceCents, amount, currency);
      if (!wallet) {
        await this.users.getById(input.userId, em);
        if (coveredOnly) throw new InsufficientFundsError(0, amount, currency);
        await this.wallets.ensureWallet(em, input.userId, currency);
      }
      // The wallet exists now, but our first statement's snapshot predates it (another transaction
      // created it and committed in between): a new statement sees it. Never "insufficient funds"
      // for a credit: that answer would make Stripe give up on money it has already taken.
      const retried = await apply(em);
      if (retried) return announced(em, retried);
      if (coveredOnly) {
        const now = await this.wallets.findByUserId(input.userId, em);
        throw new InsufficientFundsError(now?.balanceCents ?? 0, amount, currency);
      }
      throw new WalletBusyError(input.userId);
    };

    try {
      return await (outer ? withDocument(outer) : this.dataSource.transaction(withDocument));
    } catch (err) {
      if (input.stripeEventId && isUniqueViolation(err, 'wallet_transactions_stripe_event_id_key')) {
        throw new DuplicateStripeEventError(input.stripeEventId);
      }
      if (input.idempotencyKey && isUniqueViolation(err, 'wallet_transactions_idempotency_key_key')) {
        throw new DuplicateLedgerKeyError(input.idempotencyKey);
      }
      throw err;
    }
  }
}
