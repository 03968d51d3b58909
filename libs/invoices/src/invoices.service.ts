import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { abnProblem, APP_CONFIG, AppConfig, hasControlCharacters, ValidationError } from '@ozvps/core';
import { Document, DocumentItem, DocumentKind, DocumentSnapshot, DOCUMENT_KINDS } from './document.entity';
import { DocumentNotFoundError } from './errors';
import { DocumentFilter, InvoicesRepository, NewDocument } from './invoices.repository';

/** What the code writing a sale's ledger row knows about it (a server charge: which server, when). */
export interface SaleDetails {
  items?: DocumentItem[];
  /** The idempotency key of the ledger row this one reverses (a refund names its charge). */
  refersToLedgerKey?: string;
}

/** A ledger row just written (or found by the backfill), as the documents need it. */
export interface LedgerRowForDocument {
  id: number;
  userId: number;
  /** The ledger type (`topup`, `server_charge`, …); rows of other types get no document. */
  type: string;
  /** Signed, as in the ledger. */
  amountCents: number;
  currency: string;
  reason: string;
  stripePaymentIntentId: string | null;
  createdAt: Date;
  sale?: SaleDetails;
}

/**
 * Which document each ledger type gets. A server charge is the sale (an invoice); a server refund
 * reverses a sale (an adjustment note referring to its invoice). A top-up is prepaid credit, not a
 * sale (a receipt); a card refund or a lost dispute takes that credit back, so its adjustment note
 * refers to the receipt and carries no GST — the sales the credit paid for stand, invoiced.
 */
const KIND_OF: Record<string, { kind: DocumentKind; reverses: 'sale' | 'credit' | null }> = {
  server_charge: { kind: 'invoice', reverses: null },
  server_refund: { kind: 'adjustment', reverses: 'sale' },
  topup: { kind: 'receipt', reverses: null },
  dispute_reinstated: { kind: 'receipt', reverses: null },
  stripe_refund: { kind: 'adjustment', reverses: 'credit' },
  dispute_withdrawn: { kind: 'adjustment', reverses: 'credit' },
};
export const DOCUMENTED_LEDGER_TYPES = Object.keys(KIND_OF);

const BACKFILL_BATCH = 200;
const MAX_PAGE = 200;

/** A period's sums for the accountant: sales and their GST, net of adjustments; prepaid credit apart. */
export interface PeriodTotals {
  documents: number;
  salesCents: number;
  salesGstCents: number;
  saleAdjustmentsCents: number;
  saleAdjustmentsGstCents: number;
  netSalesCents: number;
  netGstCents: number;
  prepaidReceivedCents: number;
  prepaidReturnedCents: number;
}

export interface BillingDetailsView {
  businessName: string | null;
  abn: string | null;
}

/** Documents for sales, their reversals and top-ups: numbered, immutable, rendered from their copy. */
@Injectable()
export class InvoicesService {
  constructor(
    private readonly repo: InvoicesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Issues the document a ledger row calls for, inside the transaction that wrote the row (one
   * statement); null for a row that needs none (bonus, admin credit or debit).
   */
  async issueFor(em: EntityManager, row: LedgerRowForDocument): Promise<{ number: string } | null> {
    const doc = this.documentFor(row);
    if (!doc) return null;
    return this.repo.insert(em, doc);
  }

  /**
   * Issues the documents of ledger rows written before documents existed, oldest first, once:
   * safe to run again and from two processes at once. Returns how many it issued.
   */
  async backfill(): Promise<number> {
    let issued = 0;
    for (;;) {
      const n = await this.repo.backfillTransaction(async (em) => {
        const rows = await this.repo.undocumented(em, DOCUMENTED_LEDGER_TYPES, BACKFILL_BATCH);
        for (const r of rows) {
          // Old rows carry no sale details: the ledger's own reason names the server and period.
          await this.repo.insert(em, this.documentFor({ ...r, refersToKey: r.idempotencyKey })!);
        }
        return rows.length;
      });
      issued += n;
      if (n < BACKFILL_BATCH) return issued;
    }
  }

  /** A document by number; with `userId`, only that user's (anyone else's is "not found"). */
  async get(number: string, userId?: number): Promise<Document> {
    const doc = /^[A-Z]{3}-[0-9]{6,}$/.test(number) ? await this.repo.findByNumber(number) : null;
    if (!doc || (userId !== undefined && doc.userId !== userId)) throw new DocumentNotFoundError(number);
    return doc;
  }

  /** Documents newest first; `beforeId` continues from the last one of the previous page. */
  list(filter: Partial<DocumentFilter> & { limit?: number }): Promise<Document[]> {
    const limit = filter.limit ?? 50;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE)
      throw new ValidationError(`limit must be a whole number from 1 to ${MAX_PAGE}`);
    if (filter.kind !== undefined && !DOCUMENT_KINDS.includes(filter.kind))
      throw new ValidationError(`type must be one of ${DOCUMENT_KINDS.join(', ')}`);
    return this.repo.list({ ...filter, limit });
  }

  /** Every document issued in [from, to), oldest first, with the period's totals. */
  async period(from: Date, to: Date): Promise<{ documents: Document[]; totals: PeriodTotals }> {
    if (!(from < to)) throw new ValidationError('the period must end after it starts');
    const documents = await this.repo.period(from, to);
    const sum = (f: (d: Document) => boolean, k: 'totalCents' | 'gstCents') =>
      documents.filter(f).reduce((acc, d) => acc + d[k], 0);
    const invoice = (d: Document) => d.kind === 'invoice';
    const saleAdj = (d: Document) => d.kind === 'adjustment' && d.snapshot.adjusts === 'sale';
    const creditAdj = (d: Document) => d.kind === 'adjustment' && d.snapshot.adjusts !== 'sale';
    const receipt = (d: Document) => d.kind === 'receipt';
    const totals: PeriodTotals = {
      documents: documents.length,
      salesCents: sum(invoice, 'totalCents'),
      salesGstCents: sum(invoice, 'gstCents'),
      saleAdjustmentsCents: sum(saleAdj, 'totalCents'),
      saleAdjustmentsGstCents: sum(saleAdj, 'gstCents'),
      netSalesCents: sum(invoice, 'totalCents') - sum(saleAdj, 'totalCents'),
      netGstCents: sum(invoice, 'gstCents') - sum(saleAdj, 'gstCents'),
      prepaidReceivedCents: sum(receipt, 'totalCents'),
      prepaidReturnedCents: sum(creditAdj, 'totalCents'),
    };
    return { documents, totals };
  }

  /** The document number issued for each of these ledger rows (for links from the wallet history). */
  numbersForLedgerRows(ids: number[]): Promise<Map<number, string>> {
    return this.repo.numbersForLedgerRows(ids);
  }

  async billingDetails(userId: number): Promise<BillingDetailsView> {
    const d = await this.repo.billingDetails(userId);
    return { businessName: d?.businessName ?? null, abn: d?.abn ?? null };
  }

  /** Sets the buyer details later documents show (issued ones keep theirs); empty clears. */
  async setBillingDetails(
    userId: number,
    input: { businessName?: string | null; abn?: string | null },
  ): Promise<BillingDetailsView> {
    const name = input.businessName?.trim() || null;
    if (name !== null && (name.length > 120 || hasControlCharacters(name) || /[<>]/.test(name)))
      throw new ValidationError('businessName must be at most 120 characters, without < or >');
    const rawAbn = input.abn?.trim() || null;
    if (rawAbn !== null) {
      const problem = abnProblem(rawAbn);
      if (problem) throw new ValidationError(`abn ${problem}`);
    }
    const abn = rawAbn?.replace(/\s+/g, '') ?? null;
    await this.repo.saveBillingDetails(userId, name, abn);
    return { businessName: name, abn };
  }

  private documentFor(row: LedgerRowForDocument & { refersToKey?: string | null }): NewDocument | null {
    const what = KIND_OF[row.type];
    if (!what) return null;
    const seller = this.config.seller;
    const total = Math.abs(row.amountCents);
    const taxable = seller.gstRegistered && what.kind !== 'receipt' && what.reverses !== 'credit';
    // GST-inclusive prices: the GST is 1/11 of the total, to the cent.
    const gst = taxable ? Math.round(total / 11) : 0;
    const items = row.sale?.items?.length
      ? row.sale.items
      : [{ description: this.describe(row), amountCents: total }];
    const snapshot: Omit<DocumentSnapshot, 'buyer'> = {
      title: titleOf(what.kind, seller.gstRegistered),
      gstRegistered: seller.gstRegistered,
      seller: {
        name: seller.name,
        abn: seller.abn ?? null,
        address: seller.address ?? null,
        email: seller.email ?? null,
      },
      items,
      note: this.noteFor(what.kind, what.reverses, seller.gstRegistered),
      adjusts: what.reverses,
    };
    const refersToLedgerKey =
      what.reverses === 'sale' ? (row.sale?.refersToLedgerKey ?? saleKeyOf(row.refersToKey)) : null;
    return {
      kind: what.kind,
      userId: row.userId,
      ledgerTransactionId: row.id,
      refersToLedgerKey,
      // Credit reversed or reinstated: the receipt of the same Stripe payment.
      refersToPaymentIntent:
        what.reverses === 'credit' || row.type === 'dispute_reinstated' ? row.stripePaymentIntentId : null,
      stripePaymentIntentId: row.type === 'topup' ? row.stripePaymentIntentId : null,
      totalCents: total,
      gstCents: gst,
      currency: row.currency,
      snapshot,
      issuedAt: row.createdAt,
    };
  }

  private describe(row: LedgerRowForDocument): string {
    switch (row.type) {
      case 'topup':
        return 'Prepaid credit (wallet top-up)';
      case 'dispute_reinstated':
        return 'Prepaid credit reinstated (payment dispute resolved)';
      case 'stripe_refund':
        return 'Prepaid credit refunded to the card';
      case 'dispute_withdrawn':
        return 'Prepaid credit withdrawn (payment disputed)';
      default:
        return row.reason;
    }
  }

  private noteFor(kind: DocumentKind, reverses: 'sale' | 'credit' | null, gst: boolean): string | null {
    if (kind === 'receipt')
      return 'Receipt for prepaid credit. Not a tax invoice: GST applies when the credit is spent.';
    if (reverses === 'credit')
      return 'Prepaid credit returned or withdrawn: no GST. Invoices for what the credit paid stand.';
    if (!gst) return 'The seller is not registered for GST: no GST is included.';
    return null;
  }
}

function titleOf(kind: DocumentKind, gstRegistered: boolean): string {
  switch (kind) {
    case 'invoice':
      return gstRegistered ? 'Tax invoice' : 'Invoice';
    case 'adjustment':
      return 'Adjustment note';
    case 'receipt':
      return 'Receipt';
  }
}

/** A server refund keyed `server-refund:<server>:<period>` reverses `server-charge:<server>:<period>`. */
function saleKeyOf(refundKey: string | null | undefined): string | null {
  const m = refundKey ? /^server-refund:(\d+):(\d+)$/.exec(refundKey) : null;
  return m ? `server-charge:${m[1]}:${m[2]}` : null;
}
