/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import { TopupReturn } from './TopupReturn';

type Answer = { status: number; body: unknown };

/**
 * The server at the browser's network boundary: each GET path answers from its queue (the last
 * answer repeats), and every request is recorded.
 */
function fakeServer(routes: Record<string, Answer[]>) {
  const requests: { method: string; path: string }[] = [];
  // jsdom has no fetch or Response: answer with what the panel's API client reads of a response.
  const respond = (status: number, body: unknown) => ({
    status,
    ok: status >= 200 && status < 300,
    text: () => Promise.resolve(JSON.stringify(body)),
  });
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input);
    requests.push({ method: init?.method ?? 'GET', path });
    const queue = routes[path];
    if (!queue) return respond(404, { error: { code: 'not_found', message: 'Not found' } });
    const answer = queue.length > 1 ? queue.shift()! : queue[0]!;
    return respond(answer.status, answer.body);
  }) as unknown as typeof fetch;
  return requests;
}

function show(sessionId: string | null) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <TopupReturn sessionId={sessionId} pollMs={20} />
    </QueryClientProvider>,
  );
}

const TOPUP = '/api/wallet/topups/cs_test_1';
const pending = { status: 200, body: { status: 'pending', amountCents: 2500, currency: 'aud' } };
const unavailable = {
  status: 503,
  body: { error: { code: 'unavailable', message: 'The database is not answering' } },
};
const state = () => screen.getByTestId('topup-state');

describe('the top-up return page says only what the server knows', () => {
  it('says the payment is being added while pending, then the amount and new balance once credited', async () => {
    const requests = fakeServer({
      [TOPUP]: [
        pending,
        pending,
        pending,
        { status: 200, body: { status: 'credited', amountCents: 2500, currency: 'aud' } },
      ],
      '/api/wallet': [{ status: 200, body: { balanceCents: 7500, currency: 'aud', summary: {}, topup: {} } }],
    });
    show('cs_test_1');
    await waitFor(() => expect(state().textContent).toContain('Payment received — adding credit…'));
    expect(state().textContent).not.toMatch(/added to your wallet/);
    await waitFor(() => expect(state().dataset.status).toBe('credited'));
    expect(state().textContent).toContain('A$25.00 has been added to your wallet.');
    await waitFor(() => expect(screen.getByTestId('new-balance').textContent).toBe('A$75.00'));
    // It asked the server each time and never wrote anything.
    expect(requests.filter((r) => r.path === TOPUP).length).toBeGreaterThanOrEqual(4);
    expect(requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it.each([
    ['provisioning', 'Your server is being deployed with it.', 'Go to your server'],
    [
      'cancelled',
      'The deploy it was for had been cancelled, so the credit stays in your wallet.',
      'See the cancelled server',
    ],
  ])(
    'after a paid "Top up & deploy" whose server is %s, says so and links to the server',
    async (serverStatus, text, link) => {
      fakeServer({
        [TOPUP]: [
          {
            status: 200,
            body: { status: 'credited', amountCents: 500, currency: 'aud', serverId: 7, serverStatus },
          },
        ],
        '/api/wallet': [
          { status: 200, body: { balanceCents: 500, currency: 'aud', summary: {}, topup: {} } },
        ],
      });
      show('cs_test_1');
      await waitFor(() => expect(screen.getByTestId('deploy-state').textContent).toContain(text));
      expect(screen.getByRole('link', { name: link }).getAttribute('href')).toBe('/servers/7');
    },
  );

  it("a deploy's own payment that arrived after the balance was spent: never says it is deploying; says cancelled, money in the wallet", async () => {
    const credited = (serverStatus: string, serverCancelReason: string | null) => ({
      status: 200,
      body: {
        status: 'credited',
        amountCents: 500,
        currency: 'aud',
        serverId: 7,
        serverStatus,
        serverCancelReason,
      },
    });
    const requests = fakeServer({
      [TOPUP]: [
        credited('awaiting_funds', null),
        credited('awaiting_funds', null),
        credited('cancelled', 'payment_short'),
      ],
      '/api/wallet': [{ status: 200, body: { balanceCents: 600, currency: 'aud', summary: {}, topup: {} } }],
    });
    show('cs_test_1');
    await waitFor(() =>
      expect(screen.getByTestId('deploy-state').textContent).toContain('Starting the deploy'),
    );
    await waitFor(() =>
      expect(screen.getByTestId('deploy-state').textContent).toContain(
        'Your balance no longer covered the server it was for, so that deploy was cancelled: the money is in your wallet.',
      ),
    );
    expect(state().textContent).not.toMatch(/being deployed/);
    expect(screen.getByRole('link', { name: 'See the cancelled server' }).getAttribute('href')).toBe(
      '/servers/7',
    );
    // It asked again until the deploy was decided, then stopped.
    const asked = requests.filter((r) => r.path === TOPUP).length;
    expect(asked).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(requests.filter((r) => r.path === TOPUP).length).toBe(asked);
  });

  it('keeps waiting, without claiming success, for as long as the server says pending', async () => {
    const requests = fakeServer({ [TOPUP]: [pending] });
    show('cs_test_1');
    await waitFor(() => expect(requests.filter((r) => r.path === TOPUP).length).toBeGreaterThanOrEqual(5));
    expect(state().dataset.status).toBe('pending');
    expect(state().textContent).not.toMatch(/added to your wallet/);
    expect(requests.some((r) => r.path === '/api/wallet')).toBe(false);
  });

  it.each([
    ['failed', 'The payment of A$25.00 failed. Nothing was added to your wallet'],
    ['expired', 'This checkout expired before it was paid. Nothing was added to your wallet.'],
  ])('reports a %s top-up plainly and stops asking', async (status, text) => {
    const requests = fakeServer({
      [TOPUP]: [{ status: 200, body: { status, amountCents: 2500, currency: 'aud' } }],
    });
    show('cs_test_1');
    await waitFor(() => expect(state().dataset.status).toBe(status));
    expect(screen.getByRole('alert').textContent).toContain(text);
    const asked = requests.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(requests.length).toBe(asked);
  });

  it("says it cannot find a top-up that is not the customer's (404), and claims nothing", async () => {
    fakeServer({});
    show('cs_test_1');
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain('We cannot find this top-up'),
    );
    expect(state().textContent).not.toMatch(/added|received/);
  });

  it('shows a server error in its own words and keeps asking', async () => {
    const requests = fakeServer({
      [TOPUP]: [...Array.from({ length: 4 }, () => unavailable), pending],
    });
    show('cs_test_1');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('The database is not answering'));
    expect(state().textContent).not.toMatch(/added|received/);
    await waitFor(() => expect(state().textContent).toContain('Payment received'));
    expect(requests.filter((r) => r.path === TOPUP).length).toBeGreaterThanOrEqual(2);
  });

  it('without a session id, points back to the wallet and asks nothing', () => {
    const requests = fakeServer({});
    show(null);
    expect(screen.getByText(/This link has no payment session/)).toBeTruthy();
    expect(requests).toEqual([]);
  });
});
