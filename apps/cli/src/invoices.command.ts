import { writeFileSync } from 'node:fs';
import { Command, Option, SubCommand } from 'nest-commander';
import { formatCents } from '@ozvps/core';
import {
  dayStart,
  Document,
  DocumentKind,
  documentDate,
  documentLines,
  DOCUMENT_KINDS,
  InvoicesService,
  renderDocumentPdf,
  toDocumentView,
} from '@ozvps/invoices';
import { UsersService } from '@ozvps/users';
import { GroupCommand, JsonOptions, OzvpsCommand, parseBoundedInt } from './base.command';
import { UsageError } from './cli-errors';
import { printFields, printJson, printTable, printText } from './output';

/** The `--json` shape of a document: a contract for scripts (the API's list fields + its lines). */
export function documentJson(d: Document) {
  return { ...toDocumentView(d), snapshot: d.snapshot };
}

function parseDay(value: string, name: string): Date {
  const at = dayStart(value);
  if (!at) throw new UsageError(`${name} must be a date like 2026-07-01 (got "${value.slice(0, 24)}")`);
  return at;
}

const KIND_OF_TYPE: Record<string, DocumentKind> = {
  invoice: 'invoice',
  inv: 'invoice',
  adjustment: 'adjustment',
  adj: 'adjustment',
  receipt: 'receipt',
  rct: 'receipt',
};

interface ListOptions extends JsonOptions {
  user?: string;
  type?: string;
  since?: string;
  limit?: string;
}

@SubCommand({
  name: 'list',
  description: 'documents, newest first (--user, --type, --since)',
})
export class InvoicesListCommand extends OzvpsCommand<ListOptions> {
  protected readonly arity = 0;

  constructor(
    private readonly invoices: InvoicesService,
    private readonly users: UsersService,
  ) {
    super();
  }

  protected async execute(_: string[], options: ListOptions): Promise<void> {
    const kind = options.type === undefined ? undefined : KIND_OF_TYPE[options.type.toLowerCase()];
    if (options.type !== undefined && !kind)
      throw new UsageError(
        `--type must be one of ${DOCUMENT_KINDS.join(', ')} (got "${options.type.slice(0, 24)}")`,
      );
    const since = options.since === undefined ? undefined : parseDay(options.since, '--since');
    const limit = options.limit === undefined ? 50 : parseBoundedInt(options.limit, '--limit', 1, 200);
    const userId =
      options.user === undefined ? undefined : (await this.users.findByReference(options.user)).id;
    const docs = await this.invoices.list({ userId, kind, since, limit });
    if (options.json) return printJson(docs.map(documentJson));
    printTable(
      docs.map((d) => ({
        number: d.number,
        date: documentDate(d.issuedAt),
        type: d.kind,
        user: d.userId,
        total: formatCents(d.totalCents, d.currency),
        gst: formatCents(d.gstCents, d.currency),
        refers_to: d.refersTo,
      })),
      ['number', 'date', 'type', 'user', 'total', 'gst', 'refers_to'],
    );
  }

  @Option({ flags: '--user <user>', description: "one user's documents (email or id)" })
  parseUser(value: string): string {
    return value;
  }

  @Option({ flags: '--type <type>', description: 'invoice, adjustment or receipt' })
  parseType(value: string): string {
    return value;
  }

  @Option({ flags: '--since <date>', description: 'issued on or after this day (YYYY-MM-DD)' })
  parseSince(value: string): string {
    return value;
  }

  @Option({ flags: '--limit <n>', description: 'documents to show (default 50, at most 200)' })
  parseLimit(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'show', arguments: '<number>', description: 'one document as issued' })
export class InvoicesShowCommand extends OzvpsCommand {
  protected readonly arity = 1;

  constructor(private readonly invoices: InvoicesService) {
    super();
  }

  protected async execute([number]: string[], options: JsonOptions): Promise<void> {
    const doc = await this.invoices.get(number!.toUpperCase());
    if (options.json) return printJson(documentJson(doc));
    const l = documentLines(doc);
    printText(`${l.header}\n${l.title}\n`);
    printFields([
      ...l.facts,
      ['user', doc.userId],
      ['seller', l.seller.join(', ')],
      ['buyer', l.buyer.join(', ')],
      ...l.items.map((i): [string, string] => [
        'item',
        `${i.description}${i.detail ? ` (${i.detail})` : ''}: ${i.amount}`,
      ]),
      ...l.totals,
    ]);
    if (l.note) printText(`${l.note}\n`);
  }
}

interface PdfOptions extends JsonOptions {
  output?: string;
}

@SubCommand({ name: 'pdf', arguments: '<number>', description: 'write a document as PDF: -o file.pdf' })
export class InvoicesPdfCommand extends OzvpsCommand<PdfOptions> {
  protected readonly arity = 1;

  constructor(private readonly invoices: InvoicesService) {
    super();
  }

  protected async execute([number]: string[], options: PdfOptions): Promise<void> {
    if (!options.output) throw new UsageError('-o <file.pdf> is required: where to write the PDF');
    const doc = await this.invoices.get(number!.toUpperCase());
    const pdf = await renderDocumentPdf(doc);
    writeFileSync(options.output, pdf);
    if (options.json) return printJson({ number: doc.number, file: options.output, bytes: pdf.length });
    printText(`${doc.number}: ${pdf.length} bytes written to ${options.output}\n`);
  }

  @Option({ flags: '-o, --output <file>', description: 'the PDF file to write' })
  parseOutput(value: string): string {
    return value;
  }
}

interface ExportOptions extends JsonOptions {
  from?: string;
  to?: string;
  csv?: boolean;
}

const csvCell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  // A leading = + - @ would be a formula to a spreadsheet: quote it as text.
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

@SubCommand({
  name: 'export',
  description: 'a period for the accountant: --from D --to D (inclusive) [--csv]',
})
export class InvoicesExportCommand extends OzvpsCommand<ExportOptions> {
  protected readonly arity = 0;

  constructor(private readonly invoices: InvoicesService) {
    super();
  }

  protected async execute(_: string[], options: ExportOptions): Promise<void> {
    if (!options.from || !options.to)
      throw new UsageError('--from and --to are required (YYYY-MM-DD, both inclusive)');
    if (options.csv && options.json) throw new UsageError('choose one of --csv and --json');
    const from = parseDay(options.from, '--from');
    const toDay = parseDay(options.to, '--to');
    // --to is inclusive: the period ends when the day after it begins.
    const next = new Date(toDay.getTime() + 36 * 3_600_000);
    const to = dayStart(documentDate(next))!;
    const { documents, totals } = await this.invoices.period(from, to);
    if (options.json)
      return printJson({
        from: options.from,
        to: options.to,
        documents: documents.map(documentJson),
        totals,
      });
    if (options.csv) {
      const header = [
        'number',
        'date',
        'type',
        'title',
        'user_id',
        'buyer',
        'buyer_abn',
        'total_cents',
        'gst_cents',
        'currency',
        'refers_to',
      ];
      const rows = documents.map((d) => [
        d.number,
        documentDate(d.issuedAt),
        d.kind,
        d.snapshot.title,
        d.userId,
        d.snapshot.buyer.name,
        d.snapshot.buyer.abn,
        d.totalCents,
        d.gstCents,
        d.currency,
        d.refersTo,
      ]);
      const t = totals;
      const sums: (string | number | null)[][] = [
        ['TOTAL', null, 'sales', null, null, null, null, t.salesCents, t.salesGstCents, null, null],
        [
          'TOTAL',
          null,
          'sale adjustments',
          null,
          null,
          null,
          null,
          t.saleAdjustmentsCents,
          t.saleAdjustmentsGstCents,
          null,
          null,
        ],
        ['TOTAL', null, 'net sales', null, null, null, null, t.netSalesCents, t.netGstCents, null, null],
        [
          'TOTAL',
          null,
          'prepaid credit received',
          null,
          null,
          null,
          null,
          t.prepaidReceivedCents,
          0,
          null,
          null,
        ],
        [
          'TOTAL',
          null,
          'prepaid credit returned',
          null,
          null,
          null,
          null,
          t.prepaidReturnedCents,
          0,
          null,
          null,
        ],
      ];
      printText([header, ...rows, ...sums].map((r) => r.map(csvCell).join(',')).join('\n') + '\n');
      return;
    }
    const currency = documents[0]?.currency ?? 'aud';
    const money = (c: number) => formatCents(c, currency);
    printFields([
      ['period', `${options.from} to ${options.to}`],
      ['documents', totals.documents],
      ['sales', `${money(totals.salesCents)} (GST ${money(totals.salesGstCents)})`],
      ['adjustments', `${money(totals.saleAdjustmentsCents)} (GST ${money(totals.saleAdjustmentsGstCents)})`],
      ['net sales', `${money(totals.netSalesCents)} (GST ${money(totals.netGstCents)})`],
      ['prepaid in', money(totals.prepaidReceivedCents)],
      ['prepaid out', money(totals.prepaidReturnedCents)],
    ]);
  }

  @Option({ flags: '--from <date>', description: 'first day of the period (YYYY-MM-DD)' })
  parseFrom(value: string): string {
    return value;
  }

  @Option({ flags: '--to <date>', description: 'last day of the period (YYYY-MM-DD)' })
  parseTo(value: string): string {
    return value;
  }

  @Option({ flags: '--csv', description: 'one CSV row per document, then the totals' })
  parseCsv(): boolean {
    return true;
  }
}

@SubCommand({
  name: 'backfill',
  description: 'issue the documents of ledger rows from before documents existed',
})
export class InvoicesBackfillCommand extends OzvpsCommand {
  protected readonly arity = 0;

  constructor(private readonly invoices: InvoicesService) {
    super();
  }

  protected async execute(_: string[], options: JsonOptions): Promise<void> {
    const issued = await this.invoices.backfill();
    if (options.json) return printJson({ issued });
    printText(`${issued} document(s) issued\n`);
  }
}

@Command({
  name: 'invoices',
  description: 'invoices, adjustment notes, receipts: list, show, pdf, export',
  subCommands: [
    InvoicesListCommand,
    InvoicesShowCommand,
    InvoicesPdfCommand,
    InvoicesExportCommand,
    InvoicesBackfillCommand,
  ],
})
export class InvoicesCommand extends GroupCommand {}
