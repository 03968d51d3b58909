/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { WalletCoverage, WalletView } from '../api';
import { formatDate } from '../money';
import { ok, refused, serveApi } from '../testing/fake-api';
import { Wallet } from './Wallet';

const aWallet = (balanceCents: number, coverage: WalletCoverage): WalletView => ({
  balanceCents,
  currency: 'aud',
  summary: { toppedUpCents: 5000, spentCents: 0, activeServers: 1 },
  topup: { minCents: 500, maxCents: 100000, presetsCents: [1000], enabled: true },
  coverage,
});
const emptyHistory = ok({ transactions: [], nextBefore: null });

function show() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <Wallet />
    </QueryClientProvider>,
  );
}

describe('the wallet says how long the balance lasts', () => {
  it('says until when the balance covers the servers', async () => {
    const until = '2026-04-30T10:00:00.000Z';
    serveApi({
      'GET /api/wallet': ok(
        aWallet(2500, {
          nextRenewal: { at: '2026-02-28T10:00:00.000Z', amountCents: 1000 },
          coversNextRenewal: true,
          coveredUntil: until,
          horizonMonths: 24,
        }),
      ),
      'GET /api/wallet/transactions?limit=20': emptyHistory,
    });
    show();
    expect((await screen.findByTestId('coverage')).textContent).toBe(
      `Your balance covers your servers until ${formatDate(until)}. Top up before then to keep them running.`,
    );
  });

  it('warns when the balance will not cover the next renewal, with the amount to top up', async () => {
    const at = '2026-02-28T10:00:00.000Z';
    serveApi({
      'GET /api/wallet': ok(
        aWallet(300, {
          nextRenewal: { at, amountCents: 1000 },
          coversNextRenewal: false,
          coveredUntil: at,
          horizonMonths: 24,
        }),
      ),
      'GET /api/wallet/transactions?limit=20': emptyHistory,
    });
    show();
    const warning = await screen.findByTestId('coverage');
    expect(warning.getAttribute('role')).toBe('alert');
    expect(warning.textContent).toContain(
      `Your balance does not cover the next renewal: A$10.00 on ${formatDate(at)}.`,
    );
    expect(warning.textContent).toContain('Top up at least A$7.00 before then');
  });

  it('says nothing about coverage when no server renews', async () => {
    serveApi({
      'GET /api/wallet': ok(
        aWallet(0, { nextRenewal: null, coversNextRenewal: true, coveredUntil: null, horizonMonths: 24 }),
      ),
      'GET /api/wallet/transactions?limit=20': emptyHistory,
    });
    show();
    await screen.findByTestId('balance');
    expect(screen.queryByTestId('coverage')).toBeNull();
  });
});

describe('a page that cannot load offers Retry', () => {
  it('shows the error in the server’s words and asks again on Retry', async () => {
    let calls = 0;
    serveApi({
      'GET /api/wallet': () =>
        ++calls === 1
          ? refused(503, 'database_unavailable', 'The database is not answering. Try again in a minute.')
          : ok(
              aWallet(100, {
                nextRenewal: null,
                coversNextRenewal: true,
                coveredUntil: null,
                horizonMonths: 24,
              }),
            ),
      'GET /api/wallet/transactions?limit=20': emptyHistory,
    });
    show();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The database is not answering. Try again in a minute.');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.getByTestId('balance').textContent).toBe('A$1.00'));
    expect(calls).toBe(2);
  });
});
