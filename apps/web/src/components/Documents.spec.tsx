/** @jest-environment jsdom */
import { ReactNode } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { DocumentSummary } from '../api';
import { ok, refused, serveApi } from '../testing/fake-api';
import { BillingDetailsForm } from './BillingDetailsForm';
import { Documents } from './Documents';

const aDocument = (overrides: Partial<DocumentSummary> = {}): DocumentSummary => ({
  id: 3,
  number: 'INV-000003',
  type: 'invoice',
  title: 'Tax invoice',
  issuedAt: '2026-01-31T09:00:00.000Z',
  totalCents: 1650,
  gstCents: 150,
  currency: 'aud',
  refersTo: null,
  htmlPath: '/api/documents/INV-000003',
  pdfPath: '/api/documents/INV-000003/pdf',
  ...overrides,
});

function show(ui: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
}

describe('Billing → Documents', () => {
  it('lists date, number, type, amount, GST and a PDF link per document, and pages on to older ones', async () => {
    serveApi({
      'GET /api/documents': ok({
        documents: [
          aDocument(),
          aDocument({
            id: 2,
            number: 'RCT-000002',
            type: 'receipt',
            title: 'Receipt',
            totalCents: 5000,
            gstCents: 0,
            htmlPath: '/api/documents/RCT-000002',
            pdfPath: '/api/documents/RCT-000002/pdf',
          }),
        ],
        nextBefore: 2,
      }),
      'GET /api/documents?before=2': ok({
        documents: [
          aDocument({
            id: 1,
            number: 'ADJ-000001',
            type: 'adjustment',
            title: 'Adjustment note',
            refersTo: 'INV-000001',
          }),
        ],
        nextBefore: null,
      }),
    });
    show(<Documents path="/api/documents" />);
    const table = await screen.findByTestId('documents');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent))).toEqual([
      ['31 Jan 2026', 'INV-000003', 'Tax invoice', 'A$16.50', 'A$1.50', 'PDF'],
      ['31 Jan 2026', 'RCT-000002', 'Receipt', 'A$50.00', '–', 'PDF'],
    ]);
    expect(screen.getByRole('link', { name: 'Download INV-000003 as PDF' }).getAttribute('href')).toBe(
      '/api/documents/INV-000003/pdf',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Show older documents' }));
    await waitFor(() => expect(screen.getByText('ADJ-000001')).toBeTruthy());
    expect(screen.getByText(/adjusts INV-000001/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Show older documents' })).toBeNull();
  });

  it('says so when there are none', async () => {
    serveApi({ 'GET /api/documents': ok({ documents: [], nextBefore: null }) });
    show(<Documents path="/api/documents" />);
    expect(await screen.findByText('No documents yet.')).toBeTruthy();
  });
});

describe('Billing → billing details', () => {
  it("shows the server's refusal of a bad ABN as an alert, and the saved details after a good one", async () => {
    serveApi({
      'GET /api/account/billing-details': ok({ businessName: null, abn: null }),
      'PUT /api/account/billing-details': (body) =>
        (body as { abn: string }).abn === '53 004 085 616'
          ? ok({ businessName: 'Buyer Pty Ltd', abn: '53004085616' })
          : refused(
              400,
              'validation_failed',
              'abn fails the ABN checksum (a digit is wrong or two are swapped)',
            ),
    });
    show(<BillingDetailsForm />);
    fireEvent.change(await screen.findByLabelText('Business name'), { target: { value: 'Buyer Pty Ltd' } });
    fireEvent.change(screen.getByLabelText('ABN'), { target: { value: '51 824 753 557' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save billing details' }));
    expect((await screen.findByRole('alert')).textContent).toContain('ABN checksum');
    fireEvent.change(screen.getByLabelText('ABN'), { target: { value: '53 004 085 616' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save billing details' }));
    await waitFor(() => expect((screen.getByLabelText('ABN') as HTMLInputElement).value).toBe('53004085616'));
    expect(screen.getByRole('status').textContent).toBe('Saved.');
  });
});
