/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { ReactNode } from 'react';
import { EmailPreferences } from '../../components/EmailPreferences';
import { AdminMailMessage, MailDetail } from './AdminMail';

/** The panel's API at the browser's network boundary: one canned answer per "METHOD path"; requests recorded. */
function serving(answers: Record<string, unknown>) {
  const requests: { method: string; path: string; body: unknown }[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    const path = String(input);
    requests.push({ method, path, body: init?.body ? JSON.parse(String(init.body)) : null });
    const body = answers[`${method} ${path}`];
    const ok = body !== undefined;
    return {
      status: ok ? 200 : 404,
      ok,
      text: () =>
        Promise.resolve(JSON.stringify(ok ? body : { error: { code: 'not_found', message: 'Not found' } })),
    };
  }) as unknown as typeof fetch;
  return requests;
}

function show(node: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={client}>{node}</QueryClientProvider>);
}

const dead: MailDetail = {
  id: 41,
  userId: 7,
  recipient: 'ann@example.test',
  kind: 'topup-received',
  subject: 'Top-up received: A$25.00',
  status: 'dead',
  attempts: 12,
  nextAttemptAt: null,
  lastError: '550 No such mailbox',
  sentAt: null,
  createdAt: '2026-03-01T00:00:00.000Z',
  dedupeKey: 'topup-received:cs_test_1',
  giveUpAt: '2026-03-02T00:00:00.000Z',
  bodyText: 'Amount: A$25.00',
  bodyHtml: '<p>Amount: <strong>A$25.00</strong></p><script>parent.stolen = 1</script>',
};

describe("the admin's outbox message page", () => {
  it('shows the HTML body only inside a sandboxed frame, and the text body on request', async () => {
    serving({ 'GET /api/admin/mail/41': { message: dead } });
    show(<AdminMailMessage id="41" />);
    const frame = (await screen.findByTitle('HTML body of message 41')) as HTMLIFrameElement;
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('src')).toBe('/api/admin/mail/41/preview');
    expect(frame.getAttribute('srcdoc')).toBeNull();
    // The body is never put into the page itself.
    expect(document.querySelector('strong, script')).toBeNull();
    expect(screen.getByText('550 No such mailbox')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Plain text' }));
    expect(screen.getByText('Amount: A$25.00')).toBeTruthy();
    expect(screen.queryByTitle('HTML body of message 41')).toBeNull();
  });

  it('retries a dead message and says it is queued again', async () => {
    const requests = serving({
      'GET /api/admin/mail/41': { message: dead },
      'POST /api/admin/mail/41/retry': { message: { ...dead, status: 'pending', attempts: 0 } },
    });
    show(<AdminMailMessage id="41" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Retry: send it again' }));
    expect((await screen.findByRole('status')).textContent).toContain('Queued again');
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      '/api/admin/mail/41/retry',
    ]);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Retry: send it again' })).toBeNull());
  });

  it('offers no retry for a message that was sent', async () => {
    serving({ 'GET /api/admin/mail/41': { message: { ...dead, status: 'sent', sentAt: dead.createdAt } } });
    show(<AdminMailMessage id="41" />);
    await screen.findByTitle('HTML body of message 41');
    expect(screen.queryByRole('button', { name: 'Retry: send it again' })).toBeNull();
  });
});

describe("the customer's email preference", () => {
  it('switches receipts off with one PUT and says warnings cannot be switched off', async () => {
    const requests = serving({
      'GET /api/account/preferences': { receiptsEmail: true },
      'PUT /api/account/preferences': { receiptsEmail: false },
    });
    show(<EmailPreferences />);
    const box = (await screen.findByLabelText(/Email me receipts/)) as HTMLInputElement;
    expect(box.checked).toBe(true);
    expect(screen.getByText(/cannot be switched off/)).toBeTruthy();
    fireEvent.click(box);
    await waitFor(() => expect(box.checked).toBe(false));
    expect(requests.filter((r) => r.method === 'PUT')).toEqual([
      { method: 'PUT', path: '/api/account/preferences', body: { receiptsEmail: false } },
    ]);
  });
});
