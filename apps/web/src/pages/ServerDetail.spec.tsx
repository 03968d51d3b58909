/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { ServerAction, ServerDetailView, ServerState, ServerTraffic } from '../api';
import { formatDate } from '../money';
import { ok, RecordedRequest, refused, Route, serveApi } from '../testing/fake-api';
import { aServerDetailView } from '../testing/servers';
import { ServerDetail } from './ServerDetail';

const POLL = 20;
const GB = 1024 ** 3;

const anAction = (overrides: Partial<ServerAction> = {}): ServerAction => ({
  id: 1,
  kind: 'restart',
  status: 'running',
  startedAt: '2026-02-01T10:00:00.000Z',
  finishedAt: null,
  message: null,
  ...overrides,
});

const running = (action: ServerAction | null = null): ServerState => ({
  power: 'running',
  reachable: true,
  action,
});

const history = [
  { at: '2026-01-31T09:00:00.000Z', text: 'Deployed with Debian 12 on the Starter plan.', actor: 'you' },
];

function serving(server: ServerDetailView, routes: Record<string, Route> = {}, state = running()) {
  return serveApi({
    'GET /api/servers/7': ok({ server, history }),
    'GET /api/servers/7/state': ok(state),
    'GET /api/servers/7/traffic': ok({
      periodStart: '2026-02-01T00:00:00.000Z',
      periodEnd: '2026-02-28T23:59:59.000Z',
      usedBytes: 50 * GB,
      allowanceBytes: 1000 * GB,
      days: [
        { date: '2026-02-01', inBytes: 10 * GB, outBytes: 20 * GB },
        { date: '2026-02-02', inBytes: 5 * GB, outBytes: 15 * GB },
      ],
    } satisfies ServerTraffic),
    ...routes,
  });
}

function show() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ServerDetail id="7" pollMs={POLL} />
    </QueryClientProvider>,
  );
}

const count = (requests: RecordedRequest[], method: string, path: string) =>
  requests.filter((r) => r.method === method && r.path === path).length;
const button = (name: string | RegExp) => screen.getByRole('button', { name });
const sleep = (ms: number) => act(() => new Promise((r) => setTimeout(r, ms)));

describe('the server page: what the customer has', () => {
  it('shows plan and specs, OS, addresses, power, price, paid until, next renewal and history in words', async () => {
    serving(aServerDetailView());
    show();
    await waitFor(() => expect(screen.getByTestId('power-state').textContent).toBe('Running'));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('web7.example.test');
    expect(screen.getByTestId('server-plan').textContent).toBe(
      'Starter · 2 vCPU · 2 GB memory · 40 GB disk · 1000 GB traffic',
    );
    expect(screen.getByText('Debian 12')).toBeTruthy();
    expect(screen.getByTestId('server-ipv4').textContent).toBe('203.0.113.7');
    expect(screen.getByTestId('server-ipv6').textContent).toBe('2001:db8::7');
    expect(screen.getByTestId('server-price').textContent).toBe('A$12.00');
    expect(screen.getByTestId('next-renewal').textContent).toBe(formatDate('2026-02-28T09:00:00.000Z'));
    expect(screen.getByTestId('server-history').textContent).toContain(
      'Deployed with Debian 12 on the Starter plan.',
    );
    expect(screen.queryByTestId('actions-blocked')).toBeNull();
    expect((button('Restart') as HTMLButtonElement).disabled).toBe(false);
    // Running already: Start has nothing to do.
    expect((button('Start') as HTMLButtonElement).disabled).toBe(true);
  });

  it('usage: traffic this period against the allowance, with a chart of the days and the allowance line', async () => {
    serving(aServerDetailView());
    show();
    await waitFor(() => expect(screen.getByTestId('traffic-used')).toBeTruthy());
    expect(screen.getByTestId('traffic-used').textContent).toMatch(
      /^50 GB used of 1000 GB \(5%\) this period/,
    );
    const chart = screen.getByTestId('traffic-chart');
    expect(chart.getAttribute('aria-label')).toBe('Traffic per day: busiest 30 GB, allowance 1000 GB');
    expect(chart.querySelectorAll('rect.bar-in')).toHaveLength(2);
    // Scaled to the allowance (the highest value) with a tenth of headroom: day 1 is 30 GB of 1100.
    expect(Number(screen.getByTestId('allowance-line').getAttribute('y1'))).toBeCloseTo(60 - 60 / 1.1);
    const [inBar, outBar] = [chart.querySelector('rect.bar-in')!, chart.querySelector('rect.bar-out')!];
    expect(Number(inBar.getAttribute('height')) + Number(outBar.getAttribute('height'))).toBeCloseTo(
      (60 * 30) / 1100,
    );
  });

  it('usage: no traffic yet says so instead of drawing an empty chart', async () => {
    serving(aServerDetailView(), {
      'GET /api/servers/7/traffic': ok({
        periodStart: '2026-02-01 00:00:00',
        periodEnd: '2026-02-28 23:59:59',
        usedBytes: 0,
        allowanceBytes: 1000 * GB,
        days: [],
        months: [
          { periodStart: '2026-02-01 00:00:00', periodEnd: '2026-02-28 23:59:59', inBytes: 0, outBytes: 0 },
        ],
      } satisfies ServerTraffic),
    });
    show();
    await waitFor(() => expect(screen.getByTestId('no-traffic')).toBeTruthy());
    expect(screen.getByTestId('traffic-used').textContent).toBe(
      '0 B used of 1000 GB (0%) this period, 1 Feb 2026 to 28 Feb 2026',
    );
    expect(screen.queryByTestId('traffic-chart')).toBeNull();
  });

  it('usage: VirtFusion gives whole months only: the months are charted, oldest first', async () => {
    serving(aServerDetailView(), {
      'GET /api/servers/7/traffic': ok({
        periodStart: '2026-02-01 00:00:00',
        periodEnd: '2026-02-28 23:59:59',
        usedBytes: 2 * GB,
        allowanceBytes: null,
        days: [],
        months: [
          { periodStart: '2026-02-01 00:00:00', periodEnd: '2026-02-28 23:59:59', inBytes: GB, outBytes: GB },
          {
            periodStart: '2026-01-01 00:00:00',
            periodEnd: '2026-01-31 23:59:59',
            inBytes: 3 * GB,
            outBytes: GB,
          },
        ],
      } satisfies ServerTraffic),
    });
    show();
    await waitFor(() => expect(screen.getByTestId('traffic-chart')).toBeTruthy());
    expect(screen.getByTestId('traffic-used').textContent).toMatch(/^2 GB used \(unmetered\)/);
    const titles = Array.from(
      screen.getByTestId('traffic-chart').querySelectorAll('title'),
      (t) => t.textContent,
    );
    expect(titles).toEqual(['Jan 2026: 3 GB in, 1 GB out', 'Feb 2026: 1 GB in, 1 GB out']);
    expect(screen.queryByTestId('allowance-line')).toBeNull();
  });

  it('usage: says plainly that VirtFusion did not answer (502), and the rest of the page works', async () => {
    serving(aServerDetailView(), {
      'GET /api/servers/7/traffic': refused(
        502,
        'virtfusion_unavailable',
        'VirtFusion did not answer, nothing was changed — try again',
      ),
    });
    show();
    await waitFor(() => expect(screen.getByTestId('usage-unavailable')).toBeTruthy());
    expect(screen.getByTestId('usage-unavailable').textContent).toContain('VirtFusion did not answer');
    expect(screen.queryByTestId('traffic-chart')).toBeNull();
    expect((button('Restart') as HTMLButtonElement).disabled).toBe(false);
  });
});

describe('the server page: when actions cannot run, they are disabled with the reason', () => {
  const actionButtons = () =>
    [
      'Shut down',
      'Restart',
      'Power off…',
      'Open console',
      'Reset root password…',
      'Reinstall…',
      'Rename…',
    ].map((name) => button(name) as HTMLButtonElement);

  it('a server suspended for an unpaid renewal: every action disabled, the reason says top up', async () => {
    serving(
      aServerDetailView({
        status: 'suspended',
        suspendReason: 'overdue',
        suspendedAt: '2026-03-01T00:00:00.000Z',
      }),
      {},
      {
        power: 'suspended',
        reachable: true,
        action: null,
      },
    );
    show();
    await waitFor(() => expect(screen.getByTestId('actions-blocked')).toBeTruthy());
    expect(screen.getByTestId('actions-blocked').textContent).toContain('the renewal is unpaid');
    expect(actionButtons().every((b) => b.disabled)).toBe(true);
    expect((button('Start') as HTMLButtonElement).disabled).toBe(true);
    // Leaving is still possible: cancelling at period end needs no running server.
    expect((button('Cancel at the end of the paid period…') as HTMLButtonElement).disabled).toBe(false);
  });

  it('a server still being set up: actions disabled as not ready, and /state is not asked', async () => {
    const requests = serving(
      aServerDetailView({ status: 'provisioning', ipv4: [], ipv6: [], ipAddress: null }),
    );
    show();
    await waitFor(() => expect(screen.getByTestId('actions-blocked')).toBeTruthy());
    expect(screen.getByTestId('actions-blocked').textContent).toContain('not ready yet');
    expect(actionButtons().every((b) => b.disabled)).toBe(true);
    expect(count(requests, 'GET', '/api/servers/7/state')).toBe(0);
  });

  it('while another action runs: disabled, and the page names it', async () => {
    serving(aServerDetailView(), {}, running(anAction({ kind: 'reinstall' })));
    show();
    await waitFor(() => expect(screen.getByTestId('actions-blocked')).toBeTruthy());
    expect(screen.getByTestId('action-status').textContent).toBe('Reinstalling…');
    expect(screen.getByTestId('actions-blocked').textContent).toBe(
      'One action at a time: the buttons come back when this one finishes.',
    );
    expect(actionButtons().every((b) => b.disabled)).toBe(true);
  });

  it('a deleted server shows no actions at all', async () => {
    serving(aServerDetailView({ status: 'terminated', terminatedAt: '2026-03-01T00:00:00.000Z' }));
    show();
    await waitFor(() => expect(screen.getByTestId('server-status').textContent).toBe('Deleted'));
    expect(screen.queryByRole('button', { name: 'Restart' })).toBeNull();
    expect(screen.queryByTestId('usage')).toBeNull();
  });
});

describe('the server page: power', () => {
  it('restart shows the action in progress, polls /state until it settles, announces the result, then stops polling', async () => {
    let polls = 0;
    const requests = serving(aServerDetailView(), {
      'POST /api/servers/7/power': ok({ action: anAction({ id: 9 }) }, 202),
      'GET /api/servers/7/state': () => {
        polls += 1;
        // Before the click: idle. Then running for two polls, then done.
        const state =
          count(requests, 'POST', '/api/servers/7/power') === 0
            ? running()
            : polls < 4
              ? running(anAction({ id: 9 }))
              : running(anAction({ id: 9, status: 'succeeded', finishedAt: '2026-02-01T10:00:05.000Z' }));
        return ok(state);
      },
    });
    show();
    await waitFor(() => expect(screen.getByTestId('power-state').textContent).toBe('Running'));
    fireEvent.click(button('Restart'));
    await waitFor(() => expect(screen.getByTestId('action-status').textContent).toBe('Restarting…'));
    expect(requests.find((r) => r.method === 'POST')!.body).toEqual({ action: 'restart' });
    expect((button('Shut down') as HTMLButtonElement).disabled).toBe(true);
    await waitFor(() => expect(screen.getByTestId('action-status').textContent).toBe('Restarted.'));
    expect(screen.getByTestId('action-status').getAttribute('aria-live')).toBe('polite');
    expect((button('Shut down') as HTMLButtonElement).disabled).toBe(false);
    // Settled: no more polling.
    const after = count(requests, 'GET', '/api/servers/7/state');
    await sleep(POLL * 10);
    expect(count(requests, 'GET', '/api/servers/7/state')).toBe(after);
  });

  it('a failed action says so with its reason', async () => {
    let started = false;
    serving(aServerDetailView(), {
      'POST /api/servers/7/power': () => {
        started = true;
        return ok({ action: anAction({ id: 3, kind: 'shutdown' }) }, 202);
      },
      'GET /api/servers/7/state': () =>
        ok(
          started
            ? running(
                anAction({ id: 3, kind: 'shutdown', status: 'failed', message: 'did not settle in time' }),
              )
            : running(),
        ),
    });
    show();
    await waitFor(() => expect((button('Shut down') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(button('Shut down'));
    await waitFor(() =>
      expect(screen.getByTestId('action-status').textContent).toBe(
        'Shut down did not finish: did not settle in time.',
      ),
    );
  });

  it('power off asks first: "Keep as it is" sends nothing and gives focus back; confirming sends poweroff', async () => {
    const requests = serving(aServerDetailView(), {
      'POST /api/servers/7/power': ok({ action: anAction({ id: 4, kind: 'poweroff' }) }, 202),
    });
    show();
    await waitFor(() => expect((button('Power off…') as HTMLButtonElement).disabled).toBe(false));
    button('Power off…').focus();
    fireEvent.click(button('Power off…'));
    const dialog = screen.getByRole('alertdialog', { name: 'Power off the server?' });
    expect(dialog.contains(document.activeElement)).toBe(true);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep as it is' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(button('Power off…'));
    expect(count(requests, 'POST', '/api/servers/7/power')).toBe(0);

    fireEvent.click(button('Power off…'));
    fireEvent.click(button('Power off now'));
    await waitFor(() => expect(count(requests, 'POST', '/api/servers/7/power')).toBe(1));
    expect(requests.find((r) => r.method === 'POST')!.body).toEqual({ action: 'poweroff' });
  });

  it("a refusal (another action already running) shows the API's words", async () => {
    serving(aServerDetailView(), {
      'POST /api/servers/7/power': refused(
        409,
        'action_in_progress',
        'Another action is still running on this server',
      ),
    });
    show();
    await waitFor(() => expect((button('Restart') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(button('Restart'));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('Another action is still running on this server'),
    );
  });
});

describe('the server page: the root password is shown once', () => {
  it('after a confirmation, shows the new password with a copy button; Done removes it and it is nowhere else', async () => {
    const secret = 'Xq7-never-stored-9Lp';
    const requests = serving(aServerDetailView(), {
      'POST /api/servers/7/reset-password': ok({ password: secret }),
    });
    const writes: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: (text: string) => (writes.push(text), Promise.resolve()) },
    });
    const view = show();
    await waitFor(() => expect((button('Reset root password…') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(button('Reset root password…'));
    expect(count(requests, 'POST', '/api/servers/7/reset-password')).toBe(0);
    fireEvent.click(button('Reset password'));
    await waitFor(() => expect(screen.getByTestId('root-password').textContent).toBe(secret));
    expect(screen.getByText(/only this once/)).toBeTruthy();
    expect(count(requests, 'POST', '/api/servers/7/reset-password')).toBe(1);
    fireEvent.click(button('Copy'));
    await waitFor(() => expect(screen.getByText('Copied.')).toBeTruthy());
    expect(writes).toEqual([secret]);
    // Never in the address or the browser's storage.
    expect(window.location.href).not.toContain(secret);
    expect(JSON.stringify({ ...localStorage })).not.toContain(secret);
    expect(JSON.stringify({ ...sessionStorage })).not.toContain(secret);

    fireEvent.click(button('Done, I have saved it'));
    expect(screen.queryByTestId('root-password')).toBeNull();
    expect(view.container.textContent).not.toContain(secret);
    expect(document.activeElement).toBe(button('Reset root password…'));

    // A reload (a new page on the same API) shows no password and asks for none.
    view.unmount();
    show();
    await waitFor(() => expect(button('Reset root password…')).toBeTruthy());
    expect(document.body.textContent).not.toContain(secret);
    expect(count(requests, 'POST', '/api/servers/7/reset-password')).toBe(1);
  });
});

describe('the server page: reinstall needs the hostname typed', () => {
  const routes = {
    'GET /api/servers/7/templates': ok([
      { id: 44, name: 'Debian 12', description: null },
      { id: 45, name: 'Ubuntu 24.04', description: null },
    ]),
    'GET /api/ssh-keys': ok([
      {
        id: 3,
        name: 'laptop',
        type: 'ssh-ed25519',
        bits: null,
        fingerprint: 'SHA256:abc',
        createdAt: '2026-01-01T00:00:00.000Z',
      },
      {
        id: 4,
        name: 'desk',
        type: 'ssh-rsa',
        bits: 4096,
        fingerprint: 'SHA256:def',
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    ]),
    'POST /api/servers/7/reinstall': ok({ action: anAction({ id: 12, kind: 'reinstall' }) }, 202),
  };

  it('Erase and reinstall stays disabled until the exact hostname is typed; then sends template, keys and the typed name', async () => {
    const requests = serving(aServerDetailView(), routes);
    show();
    await waitFor(() => expect((button('Reinstall…') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(button('Reinstall…'));
    const dialog = screen.getByRole('alertdialog', { name: 'Reinstall the server' });
    await waitFor(() => expect(within(dialog).getByLabelText('Operating system')).toBeTruthy());
    const go = within(dialog).getByRole('button', { name: 'Erase and reinstall' }) as HTMLButtonElement;
    fireEvent.change(within(dialog).getByLabelText('Operating system'), { target: { value: '45' } });
    await waitFor(() => expect(within(dialog).getByLabelText(/laptop/)).toBeTruthy());
    fireEvent.click(within(dialog).getByLabelText(/laptop/));
    expect(go.disabled).toBe(true);
    const typed = within(dialog).getByLabelText('Type web7.example.test to confirm');
    fireEvent.change(typed, { target: { value: 'web7.example' } });
    expect(go.disabled).toBe(true);
    fireEvent.change(typed, { target: { value: 'WEB7.example.test' } });
    expect(go.disabled).toBe(true);
    // Enter in the field does not get around the check either.
    fireEvent.submit(typed.closest('form')!);
    expect(count(requests, 'POST', '/api/servers/7/reinstall')).toBe(0);

    fireEvent.change(typed, { target: { value: 'web7.example.test' } });
    expect(go.disabled).toBe(false);
    fireEvent.click(go);
    await waitFor(() => expect(count(requests, 'POST', '/api/servers/7/reinstall')).toBe(1));
    expect(requests.find((r) => r.path === '/api/servers/7/reinstall')!.body).toEqual({
      templateId: 45,
      sshKeyIds: [3],
      confirmHostname: 'web7.example.test',
    });
    await waitFor(() => expect(screen.getByTestId('action-status').textContent).toBe('Reinstalling…'));
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('a mismatch the API still refuses (422 confirmation_mismatch) is shown, and the dialog stays', async () => {
    serving(aServerDetailView(), {
      ...routes,
      'POST /api/servers/7/reinstall': refused(
        422,
        'confirmation_mismatch',
        'Type the hostname exactly to confirm',
      ),
    });
    show();
    await waitFor(() => expect((button('Reinstall…') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(button('Reinstall…'));
    const dialog = screen.getByRole('alertdialog', { name: 'Reinstall the server' });
    await waitFor(() => expect(within(dialog).getByLabelText('Operating system')).toBeTruthy());
    fireEvent.change(within(dialog).getByLabelText('Operating system'), { target: { value: '44' } });
    fireEvent.change(within(dialog).getByLabelText('Type web7.example.test to confirm'), {
      target: { value: 'web7.example.test' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Erase and reinstall' }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('Type the hostname exactly to confirm'),
    );
    expect(screen.getByRole('alertdialog')).toBeTruthy();
  });
});

describe('the server page: cancel at the end of the paid period, and keep it', () => {
  it('cancel asks first and says what happens; the page then shows the end date and Keep undoes it', async () => {
    let server = aServerDetailView();
    const requests = serving(server, {
      'GET /api/servers/7': () => ok({ server, history }),
      'POST /api/servers/7/cancel-at-period-end': () => {
        server = { ...server, cancelAtPeriodEnd: true };
        return ok({ server });
      },
      'POST /api/servers/7/keep': () => {
        server = { ...server, cancelAtPeriodEnd: false };
        return ok({ server });
      },
    });
    show();
    await waitFor(() => expect(button('Cancel at the end of the paid period…')).toBeTruthy());
    fireEvent.click(button('Cancel at the end of the paid period…'));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain(`keeps running until ${formatDate(server.paidUntil!)}`);
    expect(dialog.textContent).toContain('nothing is refunded');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel at period end' }));
    await waitFor(() => expect(screen.getByTestId('cancel-scheduled')).toBeTruthy());
    // The button that did it is gone: focus is on the one that undoes it.
    await waitFor(() => expect(document.activeElement).toBe(button('Keep this server')));
    expect(screen.getByTestId('server-status').textContent).toBe('Running · cancelled at period end');
    expect(screen.getByTestId('next-renewal').textContent).toContain('None');

    fireEvent.click(button('Keep this server'));
    await waitFor(() => expect(screen.queryByTestId('cancel-scheduled')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(button('Cancel at the end of the paid period…')));
    expect(screen.getByTestId('server-status').textContent).toBe('Running');
    expect(count(requests, 'POST', '/api/servers/7/cancel-at-period-end')).toBe(1);
    expect(count(requests, 'POST', '/api/servers/7/keep')).toBe(1);
  });
});

describe('the server page: console', () => {
  it('opens the tab on the click and sends it to the one-time URL when it arrives, never with an opener', async () => {
    serving(aServerDetailView(), {
      'POST /api/servers/7/console': ok({ url: 'https://vf.example.test/login/one-time' }),
    });
    const tab = { opener: window as unknown, location: { href: 'about:blank' }, close: () => undefined };
    const opened: unknown[][] = [];
    window.open = ((...args: unknown[]) => {
      opened.push(args);
      return tab;
    }) as typeof window.open;
    show();
    await waitFor(() => expect((button('Open console') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(button('Open console'));
    // Synchronously, inside the click: a popup opened later would be blocked.
    expect(opened).toEqual([['about:blank', '_blank']]);
    await waitFor(() => expect(tab.location.href).toBe('https://vf.example.test/login/one-time'));
    expect(tab.opener).toBeNull();
  });
});
