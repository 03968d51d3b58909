import { Document, DocumentKind } from './document.entity';

/** A document as the API and `ozvpsctl invoices --json` show it in lists. */
export interface DocumentView {
  id: number;
  number: string;
  type: DocumentKind;
  title: string;
  userId: number;
  issuedAt: string;
  totalCents: number;
  gstCents: number;
  currency: string;
  refersTo: string | null;
  /** Paths under APP_URL: the HTML view and the PDF. */
  htmlPath: string;
  pdfPath: string;
}

export function documentPath(number: string): string {
  return `/api/documents/${encodeURIComponent(number)}`;
}

export function toDocumentView(d: Document): DocumentView {
  return {
    id: d.id,
    number: d.number,
    type: d.kind,
    title: d.snapshot.title,
    userId: d.userId,
    issuedAt: d.issuedAt.toISOString(),
    totalCents: d.totalCents,
    gstCents: d.gstCents,
    currency: d.currency,
    refersTo: d.refersTo,
    htmlPath: documentPath(d.number),
    pdfPath: `${documentPath(d.number)}/pdf`,
  };
}

/** A page of documents, newest first; `nextBefore` asks for the next page (null: no more). */
export function toDocumentPage(docs: Document[], limit: number) {
  return {
    documents: docs.map(toDocumentView),
    nextBefore: docs.length === limit ? docs[docs.length - 1]!.id : null,
  };
}
