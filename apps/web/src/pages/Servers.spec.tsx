/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import { ServerView } from '../api';
import { formatMoney } from '../money';
import { ServerDetail } from './Servers';

/** The panel's API at the browser's network boundary: one server page. */
function serving(server: ServerView) {
  globalThis.fetch = (async (input: RequestInfo | URL) => {
    const ok = String(input) === `/api/servers/${server.id}`;
    const body = ok
      ? {
          server,
          events: [
            {
              type: 'reprice_scheduled',
              actor: 'admin:1',
              detail: 'A$12.00 → A$15.00',
              at: server.createdAt,
            },
          ],
        }
      : { error: { code: 'not_found', message: 'Not found' } };
    return { status: ok ? 200 : 404, ok, text: () => Promise.resolve(JSON.stringify(body)) };
  }) as unknown as typeof fetch;
}

function aServer(overrides: Partial<ServerView> = {}): ServerView {
  return {
    id: 7,
    planId: 1,
    status: 'active',
    hostname: 'web7.example.test',
    osTemplateId: 44,
    ipAddress: '203.0.113.7',
    priceMonthlyCents: 1200,
    currency: 'aud',
    scheduledPrice: null,
    paidUntil: '2026-02-28T09:00:00.000Z',
    overdueSince: null,
    suspendedAt: null,
    suspendReason: null,
    terminatedAt: null,
    failureReason: null,
    createdAt: '2026-01-31T09:00:00.000Z',
    ...overrides,
  } as ServerView;
}

function show() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ServerDetail id="7" />
    </QueryClientProvider>,
  );
}

describe("a server's page shows what the server costs, not what its plan costs now", () => {
  it('shows its own monthly price and no new price when none is scheduled', async () => {
    serving(aServer());
    show();
    await waitFor(() =>
      expect(screen.getByTestId('server-price').textContent).toBe(formatMoney(1200, 'aud')),
    );
    expect(screen.queryByTestId('server-scheduled-price')).toBeNull();
  });

  it('shows a scheduled reprice, with the renewal it applies from, from the moment it is scheduled', async () => {
    serving(aServer({ scheduledPrice: { amountCents: 1500, fromDate: '2026-03-31T09:00:00.000Z' } }));
    show();
    await waitFor(() => expect(screen.getByTestId('server-scheduled-price')).toBeTruthy());
    expect(screen.getByTestId('server-price').textContent).toBe(formatMoney(1200, 'aud'));
    expect(screen.getByTestId('server-scheduled-price').textContent).toContain(formatMoney(1500, 'aud'));
    expect(screen.getByTestId('server-scheduled-price').textContent).toContain('from the renewal on');
    expect(screen.getByText(/reprice scheduled/)).toBeTruthy();
  });
});
