/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { ServerView } from '../api';
import { formatMoney } from '../money';
import { aServerView } from '../testing/servers';
import { ServerDetail } from './ServerDetail';

/**
 * The panel's API at the browser's network boundary: one server page; a cancel answers as the API
 * does (a wrong link token: 409 cancel_link_invalid, nothing cancelled). Every request is recorded.
 */
function serving(server: ServerView, cancelToken = 'the-real-token') {
  const requests: { method: string; path: string; body: unknown }[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input);
    const sent: unknown = init?.body ? JSON.parse(String(init.body)) : undefined;
    requests.push({ method: init?.method ?? 'GET', path, body: sent });
    if (path === `/api/servers/${server.id}/cancel`) {
      const token = (sent as { token?: string } | undefined)?.token;
      if (token !== undefined && token !== cancelToken) {
        const error = { error: { code: 'cancel_link_invalid', message: 'This cancel link is not valid' } };
        return { status: 409, ok: false, text: () => Promise.resolve(JSON.stringify(error)) };
      }
      server = { ...server, status: 'cancelled', cancelReason: 'owner', failureReason: 'cancelled by you' };
      return { status: 200, ok: true, text: () => Promise.resolve(JSON.stringify({ server })) };
    }
    const ok = path === `/api/servers/${server.id}`;
    const body = ok
      ? {
          server,
          history: [
            {
              text: 'The monthly price changes from A$12.00 to A$15.00 at the renewal on 31 Mar 2026.',
              actor: 'admin',
              at: server.createdAt,
            },
          ],
        }
      : { error: { code: 'not_found', message: 'Not found' } };
    return { status: ok ? 200 : 404, ok, text: () => Promise.resolve(JSON.stringify(body)) };
  }) as unknown as typeof fetch;
  return requests;
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
    serving(aServerView());
    show();
    await waitFor(() =>
      expect(screen.getByTestId('server-price').textContent).toBe(formatMoney(1200, 'aud')),
    );
    expect(screen.queryByTestId('server-scheduled-price')).toBeNull();
  });

  it('shows a scheduled reprice, with the renewal it applies from, from the moment it is scheduled', async () => {
    serving(aServerView({ scheduledPrice: { amountCents: 1500, fromDate: '2026-03-31T09:00:00.000Z' } }));
    show();
    await waitFor(() => expect(screen.getByTestId('server-scheduled-price')).toBeTruthy());
    expect(screen.getByTestId('server-price').textContent).toBe(formatMoney(1200, 'aud'));
    expect(screen.getByTestId('server-scheduled-price').textContent).toContain(formatMoney(1500, 'aud'));
    expect(screen.getByTestId('server-scheduled-price').textContent).toContain('from the renewal on');
    expect(screen.getByText(/The monthly price changes from A\$12\.00 to A\$15\.00/)).toBeTruthy();
  });
});

describe('a waiting deploy is cancelled by its owner, never by a link someone else made', () => {
  const waiting = () =>
    aServerView({
      status: 'awaiting_funds',
      ipAddress: null,
      paidUntil: null,
      topup: { amountCents: 500, status: 'pending', checkoutUrl: 'https://checkout.example.test/pay/cs_1' },
    });
  const at = (search: string) => window.history.replaceState(null, '', `/servers/7${search}`);
  const cancels = (requests: { method: string; path: string; body: unknown }[]) =>
    requests.filter((r) => r.method === 'POST' && r.path === '/api/servers/7/cancel');
  afterEach(() => at(''));

  it('a link with ?checkout=cancelled and no token cancels nothing: the waiting state with Pay now and Cancel', async () => {
    at('?checkout=cancelled');
    const requests = serving(waiting());
    show();
    await waitFor(() =>
      expect(screen.getByTestId('server-status').textContent).toBe('Waiting for your payment'),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(cancels(requests)).toEqual([]);
    expect(screen.getByRole('link', { name: 'Pay now' }).getAttribute('href')).toBe(
      'https://checkout.example.test/pay/cs_1',
    );
    // An explicit click still cancels.
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.getByTestId('server-status').textContent).toBe('Cancelled'));
    expect(cancels(requests)).toHaveLength(1);
  });

  it('a forged token is refused by the API: nothing cancelled, no error shown, the waiting state stays', async () => {
    at('?checkout=cancelled&token=guessed');
    const requests = serving(waiting());
    show();
    await waitFor(() => expect(cancels(requests)).toHaveLength(1));
    expect(cancels(requests)[0]!.body).toEqual({ token: 'guessed' });
    await new Promise((r) => setTimeout(r, 100));
    expect(screen.getByTestId('server-status').textContent).toBe('Waiting for your payment');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByTestId('checkout-cancelled')).toBeNull();
  });

  it("Stripe's cancel_url (with the deploy's token) cancels on arrival and says so", async () => {
    at('?checkout=cancelled&token=the-real-token');
    const requests = serving(waiting());
    show();
    await waitFor(() => expect(screen.getByTestId('checkout-cancelled')).toBeTruthy());
    expect(cancels(requests)).toHaveLength(1);
    expect(screen.getByTestId('server-status').textContent).toBe('Cancelled');
  });

  it('a paid deploy not yet started says its payment arrived, with no Pay now', async () => {
    serving(
      aServerView({
        status: 'awaiting_funds',
        ipAddress: null,
        paidUntil: null,
        topup: { amountCents: 500, status: 'credited', checkoutUrl: null },
      }),
    );
    show();
    await waitFor(() =>
      expect(screen.getByTestId('payment-arrived').textContent).toContain('Your payment of A$5.00 arrived'),
    );
    expect(screen.queryByRole('link', { name: 'Pay now' })).toBeNull();
    expect(screen.queryByText(/Waiting for your payment of/)).toBeNull();
  });

  it('a deploy cancelled because its payment no longer covered it says so: the money is in the wallet, nothing charged', async () => {
    const reason =
      'Your payment of A$5.00 arrived, but your balance no longer covered A$12.00: the money is in your wallet. Deploy again when you are ready.';
    serving(
      aServerView({
        status: 'cancelled',
        ipAddress: null,
        paidUntil: null,
        cancelReason: 'payment_short',
        failureReason: reason,
        topup: { amountCents: 500, status: 'credited', checkoutUrl: null },
      }),
    );
    show();
    await waitFor(() => expect(screen.getByTestId('payment-short').textContent).toContain(reason));
    expect(screen.getByTestId('payment-short').textContent).toContain('Nothing was charged for the server.');
    expect(screen.queryByText(/Waiting for your payment/)).toBeNull();
    expect(screen.queryByRole('link', { name: 'Pay now' })).toBeNull();
    expect(screen.queryByTestId('late-payment')).toBeNull();
  });
});
