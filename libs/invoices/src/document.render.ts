import PDFDocument from 'pdfkit';
import { formatAbn, formatCents } from '@ozvps/core';
import { DOCUMENT_TIME_ZONE } from './document-dates';
import { Document, DocumentItem, DocumentKind } from './document.entity';

const DATE = new Intl.DateTimeFormat('en-AU', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: DOCUMENT_TIME_ZONE,
});

const KIND_LABEL: Record<DocumentKind, string> = {
  invoice: 'Invoice',
  adjustment: 'Adjustment note',
  receipt: 'Receipt',
};

/** The lines a document shows, in order: both renderings print exactly these, from the stored copy. */
export interface DocumentLines {
  header: string;
  title: string;
  seller: string[];
  facts: [string, string][];
  buyer: string[];
  items: { description: string; detail: string | null; amount: string }[];
  totals: [string, string][];
  note: string | null;
}

export function documentLines(d: Document): DocumentLines {
  const s = d.snapshot;
  const money = (c: number) => formatCents(c, d.currency);
  const party = (p: typeof s.seller, withAbn: boolean) =>
    [p.name ?? '', withAbn && p.abn ? `ABN ${formatAbn(p.abn)}` : '', p.address ?? '', p.email ?? ''].filter(
      (l) => l !== '',
    );
  const facts: [string, string][] = [
    ['Number', d.number],
    ['Issued', DATE.format(d.issuedAt)],
  ];
  if (d.refersTo) facts.push([d.kind === 'receipt' ? 'Follows' : 'Adjusts', d.refersTo]);
  const totals: [string, string][] = [];
  if (s.gstRegistered && d.kind !== 'receipt') {
    totals.push([
      d.kind === 'adjustment' ? 'Total adjusted (incl. GST)' : 'Total (incl. GST)',
      money(d.totalCents),
    ]);
    totals.push(['GST included', money(d.gstCents)]);
  } else {
    totals.push([d.kind === 'adjustment' ? 'Total adjusted' : 'Total', money(d.totalCents)]);
  }
  return {
    header: s.seller.name ?? '',
    title: s.title,
    seller: party(s.seller, true),
    facts,
    buyer: party(s.buyer, true),
    items: s.items.map((i) => ({
      description: i.description,
      detail: detailOf(i),
      amount: money(i.amountCents),
    })),
    totals,
    note: s.note,
  };
}

function detailOf(i: DocumentItem): string | null {
  const parts = [
    i.hostname ? `Server ${i.hostname}` : '',
    i.plan ? `plan ${i.plan}` : '',
    i.periodFrom && i.periodTo ? `period ${i.periodFrom} to ${i.periodTo}` : '',
  ].filter((p) => p !== '');
  return parts.length ? parts.join(', ') : null;
}

const esc = (t: string) =>
  t.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A standalone HTML page of the document (no scripts, no outside resources). */
export function renderDocumentHtml(d: Document): string {
  const l = documentLines(d);
  const rows = l.items
    .map(
      (i) =>
        `<tr><td>${esc(i.description)}${i.detail ? `<br><small>${esc(i.detail)}</small>` : ''}</td><td class="n">${esc(i.amount)}</td></tr>`,
    )
    .join('');
  const totals = l.totals.map(([k, v]) => `<tr><th>${esc(k)}</th><td class="n">${esc(v)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en-AU"><head><meta charset="utf-8"><title>${esc(l.title)} ${esc(d.number)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#111}
table{width:100%;border-collapse:collapse}td,th{padding:.4rem;border-bottom:1px solid #ddd;text-align:left}
.n{text-align:right;white-space:nowrap}dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem 1rem}</style>
</head><body><main>
<header><p><strong>${esc(l.header)}</strong></p><h1>${esc(l.title)}</h1></header>
<section aria-label="Seller"><p>${l.seller.map(esc).join('<br>')}</p></section>
<dl>${l.facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
<section aria-label="Buyer"><h2>To</h2><p>${l.buyer.map(esc).join('<br>')}</p></section>
<table><thead><tr><th>Item</th><th class="n">Amount</th></tr></thead><tbody>${rows}</tbody><tfoot>${totals}</tfoot></table>
${l.note ? `<p>${esc(l.note)}</p>` : ''}
</main></body></html>
`;
}

/** An A4 PDF of the document. Its dates are the issue date, so the same document gives the same file. */
export function renderDocumentPdf(d: Document): Promise<Buffer> {
  const l = documentLines(d);
  const pdf = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: {
      Title: `${l.title} ${d.number}`,
      Author: l.header,
      CreationDate: d.issuedAt,
      ModDate: d.issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  const width = pdf.page.width - 112;
  pdf.font('Helvetica-Bold').fontSize(18).text(l.header);
  pdf.moveDown(0.5).fontSize(14).text(l.title);
  pdf.moveDown(0.5).font('Helvetica').fontSize(10);
  for (const line of l.seller) pdf.text(line);
  pdf.moveDown();
  for (const [k, v] of l.facts) pdf.text(`${k}: ${v}`);
  if (l.buyer.length) {
    pdf.moveDown().font('Helvetica-Bold').text('To');
    pdf.font('Helvetica');
    for (const line of l.buyer) pdf.text(line);
  }
  pdf.moveDown();
  const row = (left: string, right: string, bold = false) => {
    const y = pdf.y;
    pdf.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    pdf.text(left, 56, y, { width: width - 110 });
    const after = pdf.y;
    pdf.text(right, 56 + width - 100, y, { width: 100, align: 'right' });
    pdf.y = Math.max(after, pdf.y);
    pdf.x = 56;
  };
  row('Item', 'Amount', true);
  for (const i of l.items) row(i.detail ? `${i.description}\n${i.detail}` : i.description, i.amount);
  pdf.moveDown(0.5);
  for (const [k, v] of l.totals) row(k, v, true);
  if (l.note) pdf.moveDown().font('Helvetica').text(l.note, 56, pdf.y, { width });
  pdf.end();
  return done;
}

export { KIND_LABEL };
