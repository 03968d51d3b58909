export * from './errors';
export * from './document.entity';
export * from './invoices.module';
export { InvoicesService, DOCUMENTED_LEDGER_TYPES } from './invoices.service';
export type { BillingDetailsView, LedgerRowForDocument, PeriodTotals, SaleDetails } from './invoices.service';
export { DOCUMENT_TIME_ZONE, dayStart, documentDate } from './document-dates';
export { documentLines, renderDocumentHtml, renderDocumentPdf, KIND_LABEL } from './document.render';
export type { DocumentLines } from './document.render';

import { BillingDetails } from './billing-details.entity';
import { DocumentCounter } from './document-counter.entity';
import { Document } from './document.entity';
export const INVOICES_ENTITIES = [Document, DocumentCounter, BillingDetails];
export { documentPath, toDocumentPage, toDocumentView } from './document.view';
export type { DocumentView } from './document.view';
