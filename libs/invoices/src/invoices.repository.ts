import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BillingDetails } from './billing-details.entity';
import { Document, DocumentKind, DocumentSnapshot } from './document.entity';

export const NUMBER_PREFIX: Record<DocumentKind, string> = {
  invoice: 'INV',
  adjustment: 'ADJ',
  receipt: 'RCT',
};

/** What one issue statement writes; the buyer is read from the database by the same statement. */
export interface NewDocument {
  kind: DocumentKind;
  userId: number;
  ledgerTransactionId: number;
  /** The referred document is the one issued for the ledger row carrying this idempotency key… */
  refersToLedgerKey: string | null;
  /** …or else the receipt of this Stripe payment. */
  refersToPaymentIntent: string | null;
  stripePaymentIntentId: string | null;
  totalCents: number;
  gstCents: number;
  currency: string;
  snapshot: Omit<DocumentSnapshot, 'buyer'>;
  issuedAt: Date;
}

export interface DocumentFilter {
  userId?: number;
  kind?: DocumentKind;
  since?: Date;
  until?: Date;
  beforeId?: number;
  limit: number;
}

/** A ledger row that should have a document and has none (written before documents existed). */
export interface UndocumentedRow {
  id: number;
  userId: number;
  type: string;
  amountCents: number;
  currency: string;
  reason: string;
  stripePaymentIntentId: string | null;
  idempotencyKey: string | null;
  createdAt: Date;
}

const BACKFILL_LOCK = 'ozvps:documents-backfill';

/** The only code that speaks SQL for `documents`, `document_counters` and `billing_details`. */
@Injectable()
export class InvoicesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes the next number of its kind and inserts the document, in one statement (one round trip
   * on the webhook's credit path). The counter row stays locked until the caller's transaction
   * ends: a rollback returns the number, so the sequence has no gaps.
   */
  async insert(em: EntityManager, d: NewDocument): Promise<{ id: number; number: string }> {
    const rows: { id: string; number: string }[] = await em.query(
      `WITH n AS (
         UPDATE document_counters SET last_number = last_number + 1 WHERE kind = $1 RETURNING last_number
       )
       INSERT INTO documents
         (number, kind, user_id, ledger_transaction_id, refers_to, stripe_payment_intent_id,
          total_cents, gst_cents, currency, snapshot, issued_at)
       SELECT $2 || '-' || lpad(n.last_number::text, greatest(6, length(n.last_number::text)), '0'),
              $1, $3, $4,
              CASE
                WHEN $5::text IS NOT NULL THEN
                  (SELECT d.number FROM wallet_transactions t JOIN documents d ON d.ledger_transaction_id = t.id
                    WHERE t.idempotency_key = $5)
                WHEN $6::text IS NOT NULL THEN
                  (SELECT d.number FROM documents d WHERE d.stripe_payment_intent_id = $6 AND d.kind = 'receipt'
                    ORDER BY d.id LIMIT 1)
              END,
              $7, $8, $9, $10,
              $11::jsonb || jsonb_build_object('buyer',
                (SELECT jsonb_build_object('name', COALESCE(b.business_name, NULLIF(u.name, '')),
                                           'abn', b.abn, 'email', u.email)
                   FROM users u LEFT JOIN billing_details b ON b.user_id = u.id WHERE u.id = $3)),
              $12
         FROM n
       RETURNING id, number`,
      [
        d.kind,
        NUMBER_PREFIX[d.kind],
        d.userId,
        d.ledgerTransactionId,
        d.refersToLedgerKey,
        d.refersToPaymentIntent,
        d.stripePaymentIntentId,
        d.totalCents,
        d.gstCents,
        d.currency,
        JSON.stringify(d.snapshot),
        d.issuedAt,
      ],
    );
    const r = rows[0];
    if (!r) throw new Error(`document_counters has no row for ${d.kind} (migration 1763800000019)`);
    return { id: Number(r.id), number: r.number };
  }

  findByNumber(number: string): Promise<Document | null> {
    return this.dataSource.getRepository(Document).findOneBy({ number });
  }

  /** Newest first, keyset-paged by id. */
  list(f: DocumentFilter): Promise<Document[]> {
    const qb = this.dataSource
      .getRepository(Document)
      .createQueryBuilder('d')
      .orderBy('d.id', 'DESC')
      .limit(f.limit);
    if (f.userId !== undefined) qb.andWhere('d.user_id = :userId', { userId: f.userId });
    if (f.kind !== undefined) qb.andWhere('d.kind = :kind', { kind: f.kind });
    if (f.since !== undefined) qb.andWhere('d.issued_at >= :since', { since: f.since });
    if (f.until !== undefined) qb.andWhere('d.issued_at < :until', { until: f.until });
    if (f.beforeId !== undefined) qb.andWhere('d.id < :beforeId', { beforeId: f.beforeId });
    return qb.getMany();
  }

  /** Every document issued in [from, to), oldest first (the accountant's export). */
  period(from: Date, to: Date): Promise<Document[]> {
    return this.dataSource
      .getRepository(Document)
      .createQueryBuilder('d')
      .where('d.issued_at >= :from AND d.issued_at < :to', { from, to })
      .orderBy('d.issued_at', 'ASC')
      .addOrderBy('d.id', 'ASC')
      .getMany();
  }

  /** The documents issued for these ledger rows, by ledger row id. */
  async numbersForLedgerRows(ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows: { ledger_transaction_id: string; number: string }[] = await this.dataSource.query(
      `SELECT ledger_transaction_id, number FROM documents WHERE ledger_transaction_id = ANY($1::bigint[])`,
      [ids],
    );
    return new Map(rows.map((r) => [Number(r.ledger_transaction_id), r.number]));
  }

  /**
   * Runs `work` as the only backfill in the cluster (a transaction-level advisory lock), so two
   * backfills never issue two documents for one row. Live issuing never races it: a ledger row
   * written since documents exist got its document in its own transaction.
   */
  backfillTransaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [BACKFILL_LOCK]);
      return work(em);
    });
  }

  /** Up to `limit` ledger rows of these types without a document, oldest first. */
  async undocumented(em: EntityManager, types: readonly string[], limit: number): Promise<UndocumentedRow[]> {
    const rows: Record<string, string | Date | null>[] = await em.query(
      `SELECT t.id, w.user_id, t.type, t.amount_cents, w.currency, t.reason, t.stripe_payment_intent_id,
              t.idempotency_key, t.created_at
         FROM wallet_transactions t
         JOIN wallets w ON w.id = t.wallet_id
        WHERE t.type = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.ledger_transaction_id = t.id)
        ORDER BY t.id
        LIMIT $2`,
      [types, limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      userId: Number(r.user_id),
      type: r.type as string,
      amountCents: Number(r.amount_cents),
      currency: r.currency as string,
      reason: r.reason as string,
      stripePaymentIntentId: (r.stripe_payment_intent_id as string | null) ?? null,
      idempotencyKey: (r.idempotency_key as string | null) ?? null,
      createdAt: r.created_at as Date,
    }));
  }

  billingDetails(userId: number): Promise<BillingDetails | null> {
    return this.dataSource.getRepository(BillingDetails).findOneBy({ userId });
  }

  async saveBillingDetails(userId: number, businessName: string | null, abn: string | null): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO billing_details (user_id, business_name, abn, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (user_id) DO UPDATE SET business_name = $2, abn = $3, updated_at = now()`,
      [userId, businessName, abn],
    );
  }
}
