import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BigIntIdentityPrimaryColumn, bigintToNumber } from '@ozvps/core';
import { User } from '@ozvps/users';

export const DOCUMENT_KINDS = ['invoice', 'adjustment', 'receipt'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** One line of a document, as it was shown when issued. */
export interface DocumentItem {
  description: string;
  hostname?: string;
  plan?: string;
  /** ISO dates (YYYY-MM-DD) of the period a server charge pays for. */
  periodFrom?: string;
  periodTo?: string;
  amountCents: number;
}

export interface DocumentParty {
  name: string | null;
  abn: string | null;
  address?: string | null;
  email: string | null;
}

/**
 * Everything a document shows, copied when it is issued, so that a later change of the seller
 * profile, a plan or the customer's details never alters it.
 */
export interface DocumentSnapshot {
  title: string;
  gstRegistered: boolean;
  seller: DocumentParty;
  buyer: DocumentParty;
  items: DocumentItem[];
  /** A line under the items (why a document carries no GST, what it adjusts). */
  note: string | null;
  /** An adjustment note reverses a sale (an invoice) or prepaid credit (a receipt). */
  adjusts: 'sale' | 'credit' | null;
}

/**
 * A tax invoice, adjustment note or receipt. Append-only: the database refuses UPDATE, DELETE and
 * TRUNCATE (trigger), and the panel's role may only INSERT and SELECT.
 */
@Entity({ name: 'documents' })
@Check('documents_kind_check', `kind IN ('invoice', 'adjustment', 'receipt')`)
@Check('documents_amounts_check', `total_cents > 0 AND gst_cents >= 0 AND gst_cents <= total_cents`)
@Index('documents_user_id_id_idx', ['userId', 'id'])
export class Document {
  @BigIntIdentityPrimaryColumn('documents_pkey')
  id!: number;

  /** INV-000001, ADJ-000001, RCT-000001: one gapless sequence per kind (document_counters). */
  @Index('documents_number_key', { unique: true })
  @Column({ type: 'text' })
  number!: string;

  @Column({ type: 'text' })
  kind!: DocumentKind;

  @Column({ name: 'user_id', type: 'bigint', transformer: bigintToNumber })
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'documents_user_id_fkey' })
  user?: User;

  /**
   * The ledger row the document was issued for: at most one document per row (which also makes
   * the backfill idempotent). No foreign key: the wallet lib issues documents, so this lib cannot
   * name its entity; the ledger is append-only, so the row never goes away.
   */
  @Index('documents_ledger_transaction_id_key', { unique: true })
  @Column({ name: 'ledger_transaction_id', type: 'bigint', transformer: bigintToNumber })
  ledgerTransactionId!: number;

  /** The number of the document this one adjusts or follows (an invoice, a receipt). */
  @Column({ name: 'refers_to', type: 'text', nullable: true })
  refersTo!: string | null;

  /** A receipt's Stripe payment, so a refund or dispute of it finds the receipt it adjusts. */
  @Index('documents_stripe_payment_intent_id_idx')
  @Column({ name: 'stripe_payment_intent_id', type: 'text', nullable: true })
  stripePaymentIntentId!: string | null;

  /** GST-inclusive, always positive: the kind says whether it is a sale, a reversal or a payment. */
  @Column({ name: 'total_cents', type: 'bigint', transformer: bigintToNumber })
  totalCents!: number;

  @Column({ name: 'gst_cents', type: 'bigint', transformer: bigintToNumber })
  gstCents!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'jsonb' })
  snapshot!: DocumentSnapshot;

  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt!: Date;
}
