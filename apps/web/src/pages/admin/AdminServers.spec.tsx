/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { ReactNode } from 'react';
import { AdminServerRow, ServerDetailView, ServerEventView } from '../../api';
import { ok, RecordedRequest, serveApi } from '../../testing/fake-api';
import { aServerDetailView } from '../../testing/servers';
import { AdminServer } from './AdminServer';
import { AdminServers } from './AdminServers';

const aServer = (overrides: Partial<ServerDetailView> = {}) =>
  aServerDetailView({
    plan: { name: 'Starter', vcpu: 1, memoryMb: 1024, diskGb: 20, trafficGb: null },
    ipv6: [],
    ...overrides,
  });

const owner = { id: 3, email: 'dana@example.test' };
const row = (server: ServerDetailView, care: AdminServerRow['care']): AdminServerRow => ({
  ...server,
  owner,
  planName: 'Starter',
  care,
});

function show(node: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={client}>{node}</QueryClientProvider>);
}
const posts = (requests: RecordedRequest[], path: string) =>
  requests.filter((r) => r.method === 'POST' && r.path === path);

describe("the admin's servers", () => {
  afterEach(() => window.history.replaceState(null, '', '/'));

  it('lists every server with owner, plan, status, price and paid until; "Needs care" asks for care=1 and shows why', async () => {
    const fine = row(aServer({ id: 7 }), []);
    const overdue = row(
      aServer({ id: 8, hostname: 'late.example.test', overdueSince: '2026-02-28T09:00:00.000Z' }),
      ['overdue'],
    );
    const requests = serveApi({
      'GET /api/admin/servers': ok([fine, overdue]),
      'GET /api/admin/servers?care=1': ok([overdue]),
    });
    show(<AdminServers />);
    await waitFor(() => expect(screen.getByTestId('admin-server-7')).toBeTruthy());
    const cells = within(screen.getByTestId('admin-server-7'))
      .getAllByRole('cell')
      .map((c) => c.textContent);
    expect(cells.slice(0, 5)).toEqual([
      'web7.example.test',
      'dana@example.test',
      'Starter',
      'Running',
      'A$12.00',
    ]);

    fireEvent.click(screen.getByLabelText(/Needs care/));
    await waitFor(() => expect(screen.getByTestId('admin-server-8')).toBeTruthy());
    expect(screen.queryByTestId('admin-server-7')).toBeNull();
    expect(requests.map((r) => r.path)).toEqual(['/api/admin/servers', '/api/admin/servers?care=1']);
    expect(screen.getByTestId('admin-server-8').textContent).toContain('Overdue');
    expect(screen.getByRole('link', { name: 'late.example.test' }).getAttribute('href')).toBe(
      '/admin/servers/8',
    );
    expect(window.location.search).toBe('?care=1');
  });

  it('terminate needs the hostname typed; a wrong one sends nothing', async () => {
    const server = aServer();
    const requests = serveApi({
      'GET /api/admin/servers/7': ok({ server, owner, history: [], action: null }),
      'POST /api/admin/servers/7/terminate': ok({ server: { ...server, status: 'terminated' } }),
    });
    show(<AdminServer id="7" pollMs={20} />);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Terminate…' })).toBeTruthy());
    expect(screen.getByRole('link', { name: 'dana@example.test' }).getAttribute('href')).toBe(
      '/admin/users/3',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Terminate…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Terminate web7.example.test?' });
    const typed = within(dialog).getByLabelText('Type web7.example.test to confirm');
    expect(document.activeElement).toBe(typed);
    const go = within(dialog).getByRole('button', { name: 'Terminate now' }) as HTMLButtonElement;
    fireEvent.change(typed, { target: { value: 'web8.example.test' } });
    expect(go.disabled).toBe(true);
    fireEvent.submit(typed.closest('form')!);
    expect(posts(requests, '/api/admin/servers/7/terminate')).toEqual([]);
    fireEvent.change(typed, { target: { value: 'web7.example.test' } });
    fireEvent.click(go);
    await waitFor(() => expect(posts(requests, '/api/admin/servers/7/terminate')).toHaveLength(1));
    expect(posts(requests, '/api/admin/servers/7/terminate')[0]!.body).toEqual({
      confirmHostname: 'web7.example.test',
    });
  });

  it('suspend sends the reason; a suspended server offers Unsuspend, and its customer actions are disabled', async () => {
    let server = aServer();
    let events: ServerEventView[] = [];
    const requests = serveApi({
      'GET /api/admin/servers/7': () =>
        ok({ server: { ...server, owner, history: [] }, events, action: null }),
      'POST /api/admin/servers/7/suspend': () => {
        server = {
          ...server,
          status: 'suspended',
          suspendReason: 'admin',
          suspendedAt: '2026-02-10T00:00:00.000Z',
        };
        const detail = 'suspended by an admin: abuse report 12';
        events = [{ type: 'suspended', actor: 'admin:1', detail, at: '2026-02-10T00:00:00.000Z' }];
        return ok({ server });
      },
    });
    show(<AdminServer id="7" pollMs={20} />);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Suspend' })).toBeTruthy());
    fireEvent.change(screen.getByLabelText(/^Reason/), { target: { value: 'abuse report 12' } });
    fireEvent.click(screen.getByRole('button', { name: 'Suspend' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Unsuspend' })).toBeTruthy());
    expect(posts(requests, '/api/admin/servers/7/suspend')[0]!.body).toEqual({ reason: 'abuse report 12' });
    // Its reason is in the admin's event log (the customer's history says only "Suspended by support").
    await waitFor(() => expect(screen.getByTestId('event-log').textContent).toContain('abuse report 12'));
    expect(screen.getByTestId('server-status').textContent).toBe('Suspended');
    expect((screen.getByRole('button', { name: 'Restart' }) as HTMLButtonElement).disabled).toBe(true);
    // The admin page asks the admin routes only.
    expect(requests.every((r) => r.path.startsWith('/api/admin/'))).toBe(true);
  });
});
