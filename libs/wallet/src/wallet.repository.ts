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
}

const toInt = (v: string | number | null): number => Number(v);

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

  findByUserId(userId: number, em: EntityManager = this.dataSource.manager): Promise<Wallet | null> {
    return em.getRepository(Wallet).findOneBy({ userId });
  }

  /** Adds to the balance (taking the row lock until the transaction ends); null when there is no wallet. */
  async addToBalance(
    em: EntityManager,
    userId: number,
    amountCents: number,
  ): Promise<{ id: number; balanceCents: number; currency: string } | null> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows]: [{ id: string; balance_cents: string; currency: string }[], number] = await em.query(
      `UPDATE wallets SET balance_cents = balance_cents + $2, updated_at = now()
        WHERE user_id = $1 RETURNING id, balance_cents, currency`,
      [userId, amountCents],
    );
    const row = rows[0];
    return row ? { id: toInt(row.id), balanceCents: toInt(row.balance_cents), currency: row.currency } : null;
  }

  /**
   * Subtracts only when the balance covers it (one conditional UPDATE, so two debits cannot both
   * pass the check). Returns null when it does not.
   */
  async subtractIfCovered(
    em: EntityManager,
    userId: number,
    amountCents: number,
  ): Promise<{ id: number; balanceCents: number; currency: string } | null> {
    const result: [{ id: string; balance_cents: string; currency: string }[], number] = await em.query(
      `UPDATE wallets SET balance_cents = balance_cents - $2, updated_at = now()
        WHERE user_id = $1 AND balance_cents >= $2 RETURNING id, balance_cents, currency`,
      [userId, amountCents],
    );
    const row = result[0][0];
    return row ? { id: toInt(row.id), balanceCents: toInt(row.balance_cents), currency: row.currency } : null;
  }

  async insertLedgerRow(em: EntityManager, row: LedgerRowInput): Promise<WalletTransaction> {
    // Plain SQL: this runs inside every money transaction, and the ORM's save() costs more than the INSERT.
    const [inserted]: { id: string; created_at: Date }[] = await em.query(
      `INSERT INTO wallet_transactions
         (wallet_id, type, amount_cents, balance_after_cents, actor, reason,
          stripe_event_id, stripe_checkout_session_id, stripe_payment_intent_id, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id, created_at`,
      [
        row.walletId,
        row.type,
        row.amountCents,
        row.balanceAfterCents,
        row.actor,
        row.reason,
        row.stripeEventId ?? null,
        row.stripeCheckoutSessionId ?? null,
        row.stripePaymentIntentId ?? null,
        row.idempotencyKey ?? null,
      ],
    );
    return em.getRepository(WalletTransaction).create({
      ...row,
      stripeEventId: row.stripeEventId ?? null,
      stripeCheckoutSessionId: row.stripeCheckoutSessionId ?? null,
      stripePaymentIntentId: row.stripePaymentIntentId ?? null,
      idempotencyKey: row.idempotencyKey ?? null,
      id: toInt(inserted!.id),
      createdAt: inserted!.created_at,
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

  /** Wallets whose balance differs from the sum of their rows or from their newest row. */
  async drift(): Promise<{ checked: number; drifted: WalletDrift[] }> {
    const rows: Record<string, string | null>[] = await this.dataSource.query(
      `SELECT w.id, w.user_id, w.balance_cents,
              COALESCE(s.total, 0) AS ledger_sum,
              l.balance_after_cents AS last_after
         FROM wallets w
         LEFT JOIN LATERAL (SELECT sum(amount_cents) AS total FROM wallet_transactions t WHERE t.wallet_id = w.id) s ON true
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
      }))
      .filter(
        (w) => w.balanceCents !== w.ledgerSumCents || w.balanceCents !== (w.lastBalanceAfterCents ?? 0),
      );
    return { checked: rows.length, drifted };
  }
}
