import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Wallet, WalletTransaction, TransactionType } from './wallet.entity';

export interface LedgerRowInput {
  walletId: number;
  type: TransactionType;
  amountCents: number;
  balanceAfterCents: number;
  actor: string;
  reason: string;
  stripeEventId?: string | null;
  stripeCheckoutSessionId?: string | null;
  stripePaymentIntentId?: string | null;
  idempotencyKey?: string | null;
}

export interface WalletDrift {
  walletId: number;
  userId: number;
  balanceCents: number;
  ledgerSumCents: number;
  lastBalanceAfterCents: number | null;
  toppedUpCents: number;
  ledgerToppedUpCents: number;
  spentCents: number;
  ledgerSpentCents: number;
}

const toInt = (v: string | number | null): number => Number(v);

// The wallet page's totals: what each kept column sums (spent is the negated sum: charges are negative).
// The ledger's trigger (migration 1763800000016) keeps them with the same lists.
const TOPPED_UP_TYPES: readonly TransactionType[] = ['topup'];
const SPENT_TYPES: readonly TransactionType[] = ['server_charge', 'server_refund'];
const sqlList = (types: readonly TransactionType[]) => types.map((t) => `'${t}'`).join(', ');
const TOPPED_UP_SQL = sqlList(TOPPED_UP_TYPES);
const SPENT_SQL = sqlList(SPENT_TYPES);

/** The only code that speaks SQL for `wallets` and `wallet_transactions`. */
@Injectable()
export class WalletRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Creates the user's wallet if it does not exist yet; safe under concurrency. */
  async ensureWallet(em: EntityManager, userId: number, currency: string): Promise<void> {
    // A plain SELECT first: ON CONFLICT DO NOTHING would burn an identity value on every call.
    if (await this.findByUserId(userId, em)) return;
    await em.query(
      `INSERT INTO wallets (user_id, currency) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`,
      [userId, currency],
    );
  }

  async balancesOf(userIds: number[]): Promise<Map<number, number>> {
    if (userIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT user_id, balance_cents FROM wallets WHERE user_id = ANY($1::bigint[])`,
      [userIds],
    )) as { user_id: string; balance_cents: string }[];
    return new Map(rows.map((r) => [Number(r.user_id), Number(r.balance_cents)]));
  }

  findByUserId(userId: number, em: EntityManager = this.dataSource.manager): Promise<Wallet | null> {
    return em.getRepository(Wallet).findOneBy({ userId });
  }

  /**
   * Changes the balance and appends the ledger row in one statement (one round trip): the UPDATE
   * takes the wallet's row lock until the transaction ends, and the INSERT records the balance it
   * produced. The wallet's totals (topped up, spent) are not touched here: the ledger's trigger
   * (migration 1763800000016) moves them for every inserted row, whoever inserts it. It changes
   * nothing and returns null when the wallet is missing, holds another currency, or (with
   * `onlyIfCovered`) the balance does not cover a debit; the caller asks why.
   */
  async applyChange(
    em: EntityManager,
    change: { userId: number; currency: string; onlyIfCovered: boolean },
    row: Omit<LedgerRowInput, 'walletId' | 'balanceAfterCents'>,
  ): Promise<WalletTransaction | null> {
    const inserted: { id: string; wallet_id: string; balance_after_cents: string; created_at: Date }[] =
      await em.query(
        `WITH changed AS (
           UPDATE wallets
              SET balance_cents = balance_cents + $3,
                  updated_at = now()
            WHERE user_id = $1 AND currency = $2 AND ($4::boolean IS FALSE OR balance_cents + $3 >= 0)
            RETURNING id, balance_cents
         )
         INSERT INTO wallet_transactions
           (wallet_id, type, amount_cents, balance_after_cents, actor, reason,
            stripe_event_id, stripe_checkout_session_id, stripe_payment_intent_id, idempotency_key)
         SELECT id, $5, $3, balance_cents, $6, $7, $8, $9, $10, $11 FROM changed
         RETURNING id, wallet_id, balance_after_cents, created_at`,
        [
          change.userId,
          change.currency,
          row.amountCents,
          change.onlyIfCovered,
          row.type,
          row.actor,
          row.reason,
          row.stripeEventId ?? null,
          row.stripeCheckoutSessionId ?? null,
          row.stripePaymentIntentId ?? null,
          row.idempotencyKey ?? null,
        ],
      );
    const r = inserted[0];
    if (!r) return null;
    return em.getRepository(WalletTransaction).create({
      ...row,
      stripeEventId: row.stripeEventId ?? null,
      stripeCheckoutSessionId: row.stripeCheckoutSessionId ?? null,
      stripePaymentIntentId: row.stripePaymentIntentId ?? null,
      idempotencyKey: row.idempotencyKey ?? null,
      id: toInt(r.id),
      walletId: toInt(r.wallet_id),
      balanceAfterCents: toInt(r.balance_after_cents),
      createdAt: r.created_at,
    });
  }

  /** The sum of a payment's ledger rows of one type (e.g. what its refunds already took back). */
  async sumForPaymentIntent(
    em: EntityManager,
    type: TransactionType,
    paymentIntentId: string,
  ): Promise<number> {
    const [row]: { total: string }[] = await em.query(
      `SELECT COALESCE(sum(amount_cents), 0) AS total FROM wallet_transactions WHERE type = $1 AND stripe_payment_intent_id = $2`,
      [type, paymentIntentId],
    );
    return Number(row!.total);
  }

  /** Whether a ledger row with this idempotency key exists. */
  async hasKey(em: EntityManager, key: string): Promise<boolean> {
    const rows: unknown[] = await em.query(`SELECT 1 FROM wallet_transactions WHERE idempotency_key = $1`, [
      key,
    ]);
    return rows.length > 0;
  }

  /** The ledger row carrying an idempotency key, if one does. */
  findByKey(key: string): Promise<WalletTransaction | null> {
    return this.dataSource.getRepository(WalletTransaction).findOneBy({ idempotencyKey: key });
  }

  /** Newest first; `beforeId` continues from the last row of the previous page. */
  history(walletId: number, limit: number, beforeId?: number): Promise<WalletTransaction[]> {
    const qb = this.dataSource
      .getRepository(WalletTransaction)
      .createQueryBuilder('t')
      .where('t.wallet_id = :walletId', { walletId })
      .orderBy('t.id', 'DESC')
      .limit(limit);
    if (beforeId !== undefined) qb.andWhere('t.id < :beforeId', { beforeId });
    return qb.getMany();
  }

  /**
   * Wallets whose balance differs from the sum of their rows or from their newest row, or whose
   * kept totals differ from the sums of the rows they stand for.
   */
  async drift(): Promise<{ checked: number; drifted: WalletDrift[] }> {
    const rows: Record<string, string | null>[] = await this.dataSource.query(
      `SELECT w.id, w.user_id, w.balance_cents, w.topped_up_cents, w.spent_cents,
              COALESCE(s.total, 0) AS ledger_sum,
              COALESCE(s.topped_up, 0) AS ledger_topped_up,
              COALESCE(s.spent, 0) AS ledger_spent,
              l.balance_after_cents AS last_after
         FROM wallets w
         LEFT JOIN LATERAL (
           SELECT sum(amount_cents) AS total,
                  sum(amount_cents) FILTER (WHERE type IN (${TOPPED_UP_SQL})) AS topped_up,
                  -sum(amount_cents) FILTER (WHERE type IN (${SPENT_SQL})) AS spent
             FROM wallet_transactions t WHERE t.wallet_id = w.id) s ON true
         LEFT JOIN LATERAL (SELECT balance_after_cents FROM wallet_transactions t WHERE t.wallet_id = w.id ORDER BY t.id DESC LIMIT 1) l ON true
        ORDER BY w.id`,
    );
    const drifted = rows
      .map((r) => ({
        walletId: toInt(r.id!),
        userId: toInt(r.user_id!),
        balanceCents: toInt(r.balance_cents!),
        ledgerSumCents: toInt(r.ledger_sum!),
        lastBalanceAfterCents: r.last_after === null ? null : toInt(r.last_after),
        toppedUpCents: toInt(r.topped_up_cents!),
        ledgerToppedUpCents: toInt(r.ledger_topped_up!),
        spentCents: toInt(r.spent_cents!),
        ledgerSpentCents: toInt(r.ledger_spent!),
      }))
      .filter(
        (w) =>
          w.balanceCents !== w.ledgerSumCents ||
          w.balanceCents !== (w.lastBalanceAfterCents ?? 0) ||
          w.toppedUpCents !== w.ledgerToppedUpCents ||
          w.spentCents !== w.ledgerSpentCents,
      );
    return { checked: rows.length, drifted };
  }
}
