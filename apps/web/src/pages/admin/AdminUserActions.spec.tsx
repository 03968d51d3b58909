/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { ReactNode } from 'react';
import { AdminServerRow, UserView } from '../../api';
import { ok, refused, RecordedRequest, serveApi } from '../../testing/fake-api';
import { aServerDetailView } from '../../testing/servers';
import { AdminStripe } from './AdminStripe';
import { AdminUsers } from './AdminUsers';
import { AdminAudit } from './AdminAudit';
import { AdminUserActions } from './AdminUserActions';
import { AdminUserServers } from './AdminUserServers';

function show(node: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={client}>{node}</QueryClientProvider>);
}
const posts = (requests: RecordedRequest[]) =>
  requests.filter((r) => r.method === 'POST').map((r) => `${r.path} ${JSON.stringify(r.body)}`);

const ann: UserView = {
  id: 12,
  email: 'ann@example.test',
  name: 'Ann',
  role: 'user',
  stripeCustomerId: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  disabledAt: null,
};
const me = {
  user: { id: 1, email: 'root@example.test', name: null, role: 'admin', createdAt: ann.createdAt },
};

describe("the admin's account actions on a user's page", () => {
  it('disabling asks for the email typed, then posts once and says their servers keep running', async () => {
    const requests = serveApi({
      'GET /api/auth/session': ok(me),
      'POST /api/admin/users/12/disable': ok({ user: { ...ann, disabledAt: '2026-03-01T00:00:00.000Z' } }),
    });
    show(<AdminUserActions user={ann} />);
    fireEvent.click(screen.getByRole('button', { name: 'Disable account' }));
    const dialog = screen.getByRole('alertdialog');
    const confirm = within(dialog).getByRole('button', { name: 'Disable account' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.change(within(dialog).getByLabelText(/Type ann@example.test/), {
      target: { value: 'ann@example.test' },
    });
    fireEvent.click(confirm);
    await screen.findByText(/cannot sign in; their servers keep running/);
    expect(posts(requests)).toEqual(['/api/admin/users/12/disable {}']);
  });

  it('role change and sign out everywhere each post once after confirming; a refusal is shown', async () => {
    const requests = serveApi({
      'GET /api/auth/session': ok(me),
      'POST /api/admin/users/12/role': ok({ user: { ...ann, role: 'admin' } }),
      'POST /api/admin/users/12/sign-out-everywhere': refused(503, 'database_unavailable', 'Try again soon'),
    });
    show(<AdminUserActions user={ann} />);
    fireEvent.click(screen.getByRole('button', { name: 'Make an admin' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Make an admin' }));
    await screen.findByText('ann@example.test is now an admin.');
    fireEvent.click(screen.getByRole('button', { name: 'Sign out everywhere' }));
    fireEvent.click(
      within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Sign out everywhere' }),
    );
    expect((await screen.findByRole('alert')).textContent).toBe('Try again soon');
    expect(posts(requests)).toEqual([
      '/api/admin/users/12/role {"role":"admin"}',
      '/api/admin/users/12/sign-out-everywhere {}',
    ]);
  });

  it('emails a password reset link after confirming, and says where it went', async () => {
    const requests = serveApi({
      'GET /api/auth/session': ok(me),
      'POST /api/admin/users/12/password-reset-link': ok({
        sentTo: 'ann@example.test',
        expiresAt: '2026-03-01T01:00:00.000Z',
      }),
    });
    show(<AdminUserActions user={ann} />);
    fireEvent.click(screen.getByRole('button', { name: 'Email a password reset link' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Email the link' }));
    expect((await screen.findByRole('status')).textContent).toBe(
      'A password reset link was emailed to ann@example.test; it works for one hour.',
    );
    expect(posts(requests)).toEqual(['/api/admin/users/12/password-reset-link {}']);
  });

  it('a disabled account shows it and offers Enable; an admin is not offered to disable or demote themselves', async () => {
    serveApi({ 'GET /api/auth/session': ok(me) });
    const view = show(<AdminUserActions user={{ ...ann, disabledAt: '2026-03-01T00:00:00.000Z' }} />);
    expect(screen.getByTestId('user-disabled').textContent).toMatch(/cannot sign in/);
    expect(screen.getByRole('button', { name: 'Enable account' })).toBeTruthy();
    view.unmount();
    show(<AdminUserActions user={{ ...ann, id: 1, role: 'admin' }} />);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Disable account' })).toBeNull());
    expect(screen.queryByRole('button', { name: 'Make a user' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Sign out everywhere' })).toBeTruthy();
  });

  it("lists the user's servers, each linking to its admin page", async () => {
    const server: AdminServerRow = {
      ...aServerDetailView({ id: 7 }),
      owner: { id: 12, email: ann.email },
      planName: 'Starter',
      care: [],
    };
    serveApi({ 'GET /api/admin/servers?userId=12': ok([server]) });
    show(<AdminUserServers userId={12} />);
    const link = await screen.findByRole('link', { name: 'web7.example.test' });
    expect(link.getAttribute('href')).toBe('/admin/servers/7');
  });
});

describe('the admin users list and Stripe events', () => {
  it('the users list shows each balance and marks a disabled account', async () => {
    serveApi({
      'GET /api/app': ok({ currency: 'aud', sandbox: false, topupsEnabled: true }),
      'GET /api/admin/users?limit=100&q=': ok({
        users: [
          { ...ann, balanceCents: 2550 },
          {
            ...ann,
            id: 13,
            email: 'ben@example.test',
            balanceCents: 0,
            disabledAt: '2026-03-01T00:00:00.000Z',
          },
        ],
      }),
    });
    show(<AdminUsers />);
    const ben = (await screen.findByRole('link', { name: 'ben@example.test' })).closest('tr')!;
    expect(
      within(ben)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['ben@example.test', 'Ann', 'user · disabled', 'A$0.00', expect.any(String)]);
    const annRow = screen.getByRole('link', { name: 'ann@example.test' }).closest('tr')!;
    expect(within(annRow).getAllByRole('cell')[3]!.textContent).toBe('A$25.50');
  });

  it("the Stripe events show the customer's email next to each cus_…", async () => {
    serveApi({
      'GET /api/admin/stripe/status': refused(503, 'x', 'status unavailable'),
      'GET /api/admin/stripe/events?limit=50': ok({
        events: [
          {
            eventId: 'evt_1',
            type: 'checkout.session.completed',
            outcome: 'credited',
            userId: 12,
            stripeCustomerId: 'cus_ANN',
            customerEmail: 'ann@example.test',
            amountCents: 2500,
            currency: 'aud',
            receivedAt: '2026-03-01T00:00:00.000Z',
          },
        ],
      }),
    });
    show(<AdminStripe />);
    expect((await screen.findByText('cus_ANN', { exact: false })).textContent).toBe(
      'cus_ANN · ann@example.test',
    );
  });
});

describe('the audit trail page', () => {
  it('lists actions newest first with actor, target link, before and after; filters and pages by the API', async () => {
    const row = (id: number, extra: object = {}) => ({
      id,
      at: '2026-03-01T00:00:00.000Z',
      actor: 'cli:alice',
      action: 'users.set-role',
      targetType: 'user',
      targetId: '12',
      before: { role: 'user' },
      after: { role: 'admin' },
      reason: null,
      ...extra,
    });
    const requests = serveApi({
      'GET /api/admin/audit?limit=50': ok({
        events: [row(9), row(8, { reason: 'ticket 4' })],
        nextBefore: 8,
      }),
      'GET /api/admin/audit?limit=50&before=8': ok({ events: [row(3)], nextBefore: null }),
      'GET /api/admin/audit?limit=50&actor=alice&target=user%3A12': ok({ events: [], nextBefore: null }),
    });
    show(<AdminAudit />);
    const table = await screen.findByTestId('audit-events');
    const first = within(table).getAllByRole('row')[1]!;
    expect(
      within(first)
        .getAllByRole('cell')
        .map((c) => c.textContent)
        .slice(1),
    ).toEqual(['cli:alice', 'users.set-role', 'user 12', 'role: user', 'role: admin', '']);
    expect(within(first).getByRole('link', { name: 'user 12' }).getAttribute('href')).toBe('/admin/users/12');
    expect(screen.getByText('ticket 4')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Older actions' }));
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(4));

    fireEvent.change(screen.getByLabelText('Actor'), { target: { value: 'alice' } });
    fireEvent.change(screen.getByLabelText('Target'), { target: { value: 'user:12' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    await screen.findByText('No admin actions match.');
    expect(requests.map((r) => r.path)).toContain('/api/admin/audit?limit=50&actor=alice&target=user%3A12');
  });
});
