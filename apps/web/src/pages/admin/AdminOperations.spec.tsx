/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { ReactNode } from 'react';
import { AdminForecast, ForecastView } from './AdminForecast';
import { AdminHealth, HealthView } from './AdminHealth';

/** The panel's API at the browser's network boundary: one canned answer per "METHOD path"; requests recorded. */
function serving(answers: Record<string, unknown>) {
  const requests: string[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const key = `${init?.method ?? 'GET'} ${String(input)}`;
    requests.push(key);
    const body = answers[key];
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

const ann = { userId: 7, email: 'ann@example.test' };
const forecast = (days: number): ForecastView => ({
  generatedAt: '2026-03-01T00:00:00.000Z',
  until: '2026-03-08T00:00:00.000Z',
  days,
  currency: 'aud',
  totals: { renewals: 2, dueCents: 2400, coveredCents: 1200, shortfallCents: 900 },
  renewals: [
    {
      serverId: 11,
      hostname: 'web1.example.test',
      ...ann,
      at: '2026-03-01T12:00:00.000Z',
      period: 2,
      amountCents: 1200,
      balanceBeforeCents: 1500,
      earlierRenewalsCents: 0,
      covered: true,
      shortfallCents: 0,
    },
    {
      serverId: 12,
      hostname: 'web2.example.test',
      ...ann,
      at: '2026-03-03T00:00:00.000Z',
      period: 2,
      amountCents: 1200,
      balanceBeforeCents: 300,
      earlierRenewalsCents: 1200,
      covered: false,
      shortfallCents: 900,
    },
  ],
  shortfalls: [{ ...ann, balanceCents: 1500, dueCents: 1200, shortfallCents: 900, serverIds: [12] }],
  suspensions: [
    {
      serverId: 12,
      hostname: 'web2.example.test',
      ...ann,
      at: '2026-03-04T00:00:00.000Z',
      reason: 'overdue',
    },
  ],
  terminations: [],
  waitingDeploys: [],
  stuckProvisioning: [
    {
      serverId: 13,
      hostname: 'stuck.example.test',
      ...ann,
      status: 'provisioning',
      step: 'creating',
      createdAt: '2026-02-28T00:00:00.000Z',
      priceCents: 1200,
    },
  ],
});

describe('the admin forecast page', () => {
  it('shows renewals with what is short, the wallets, suspensions and stuck provisioning, each linked', async () => {
    const requests = serving({
      'GET /api/admin/forecast?days=7': { forecast: forecast(7) },
      'GET /api/admin/forecast?days=30': { forecast: forecast(30) },
    });
    show(<AdminForecast />);
    const renewals = await screen.findByRole('table', { name: 'Renewals' });
    expect(within(renewals).getByText('no: A$9.00 short')).toBeTruthy();
    expect(within(renewals).getByText('yes')).toBeTruthy();
    expect(within(renewals).getByRole('link', { name: '#12 web2.example.test' }).getAttribute('href')).toBe(
      '/admin/servers/12',
    );
    const wallets = screen.getByRole('table', { name: 'Shortfalls' });
    expect(within(wallets).getByRole('link', { name: 'ann@example.test' }).getAttribute('href')).toBe(
      '/admin/users/7',
    );
    expect(within(wallets).getByText('A$9.00')).toBeTruthy();
    expect(
      within(screen.getByRole('table', { name: 'Suspensions' })).getByText('renewal unpaid'),
    ).toBeTruthy();
    expect(screen.getByText('No terminations in this period.')).toBeTruthy();
    expect(screen.getByText('provisioning stuck at creating')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Days ahead'), { target: { value: '30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    await waitFor(() => expect(requests).toContain('GET /api/admin/forecast?days=30'));
    expect(await screen.findByText(/Next 30 days/)).toBeTruthy();
  });

  it('says so when the API refuses', async () => {
    serving({});
    show(<AdminForecast />);
    expect(await screen.findByText('Not found')).toBeTruthy();
  });
});

const job = (name: string, extra: Partial<HealthView['jobs'][number]> = {}): HealthView['jobs'][number] => ({
  name,
  cron: '* * * * *',
  status: 'ok',
  lastRun: {
    startedAt: '2026-03-01T00:00:00.000Z',
    finishedAt: '2026-03-01T00:00:01.000Z',
    outcome: 'succeeded',
    error: null,
  },
  lastSuccessAt: '2026-03-01T00:00:00.000Z',
  lastFailure: null,
  nextRunAt: '2026-03-01T00:01:00.000Z',
  intervalMs: 60_000,
  late: false,
  ...extra,
});
const reachable = { status: 'ok' as const, configured: true, reachable: true, latencyMs: 12, error: null };
const healthy: HealthView = {
  checkedAt: '2026-03-01T00:00:30.000Z',
  ok: true,
  attention: [],
  jobs: [job('renewals'), job('servers-sweep')],
  webhooks: {
    status: 'ok',
    last24h: { credited: 3 },
    received24h: 3,
    failed24h: 0,
    refused24h: 0,
    signaturesFailingNow: false,
  },
  virtfusion: reachable,
  stripe: reachable,
  database: { status: 'ok', sizeBytes: 10 * 1048576 },
  ledger: { status: 'ok', walletsChecked: 4, drifted: 0 },
  outbox: { status: 'ok', pending: 0, oldestPendingAt: null, held: 0, dead: 0, dead24h: 0, lastSentAt: null },
  backups: { status: 'off', configured: false, newestAt: null, ageHours: null, count: 0 },
};

describe('the admin health page', () => {
  it('all well: says so, lists every job and each check', async () => {
    serving({ 'GET /api/admin/health': { health: healthy } });
    show(<AdminHealth />);
    expect(await screen.findByText(/^All well, checked/)).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    const jobs = screen.getByRole('table', { name: 'Jobs' });
    expect(within(jobs).getByText('renewals')).toBeTruthy();
    expect(within(jobs).getByText('servers-sweep')).toBeTruthy();
    expect(screen.getAllByText('answered in 12 ms')).toHaveLength(2);
    expect(screen.getByText('BACKUP_DIR is not set')).toBeTruthy();
    expect(screen.getByText('10.0 MB')).toBeTruthy();
  });

  it('needs attention: the reasons first, the late job, the failure and the unreachable service shown', async () => {
    const requests = serving({
      'GET /api/admin/health': {
        health: {
          ...healthy,
          ok: false,
          attention: [
            'job servers-sweep: not run since 2026-03-01T00:00:00.000Z (more than twice its interval)',
            'VirtFusion unreachable: VirtFusion GET /connect answered 500: VirtFusion is failing',
          ],
          jobs: [
            job('renewals', {
              status: 'attention',
              lastFailure: { startedAt: '2026-03-01T00:00:00.000Z', error: 'boom' },
            }),
            job('servers-sweep', { status: 'attention', late: true }),
          ],
          virtfusion: {
            status: 'attention',
            configured: true,
            reachable: false,
            latencyMs: 3,
            error: 'VirtFusion GET /connect answered 500: VirtFusion is failing',
          },
        },
      },
    });
    show(<AdminHealth />);
    const alert = await screen.findByRole('alert');
    expect(within(alert).getAllByRole('listitem')).toHaveLength(2);
    expect(screen.getByText(/late: not run for twice its interval/)).toBeTruthy();
    expect(screen.getByText(/: boom$/)).toBeTruthy();
    expect(
      screen.getByText('unreachable: VirtFusion GET /connect answered 500: VirtFusion is failing'),
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Check again' }));
    await waitFor(() => expect(requests.filter((r) => r === 'GET /api/admin/health')).toHaveLength(2));
  });
});
