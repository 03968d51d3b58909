/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { PublicPlan, ServerView } from '../api';
import { ok, serveApi } from '../testing/fake-api';
import { Deploy } from './Deploy';

const plan: PublicPlan = {
  id: 2,
  name: 'Starter',
  description: null,
  vcpu: 1,
  memoryMb: 1024,
  storageGb: 20,
  trafficGb: 1000,
  networkSpeedInMbps: null,
  networkSpeedOutMbps: null,
  priceMonthlyCents: 1250,
};
const key = (id: number, name: string) => ({
  id,
  name,
  type: 'ssh-ed25519',
  bits: null,
  fingerprint: `SHA256:${name}`,
  createdAt: '2026-01-01T00:00:00.000Z',
});

function serving() {
  return serveApi({
    'GET /api/auth/session': ok({
      user: {
        id: 1,
        email: 'dana@example.test',
        name: null,
        role: 'user',
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    }),
    'GET /api/app': ok({ currency: 'aud', sandbox: false, topupsEnabled: true }),
    'GET /api/plans': ok({ plans: [plan] }),
    'GET /api/wallet': ok({
      balanceCents: 5000,
      currency: 'aud',
      summary: { toppedUpCents: 5000, spentCents: 0, activeServers: 0 },
      topup: { minCents: 500, maxCents: 100000, presetsCents: [], enabled: true },
    }),
    'GET /api/plans/2/templates': ok({
      templates: [{ id: 44, name: 'Debian', version: '12', variant: null, group: 'Debian', eol: false }],
    }),
    'GET /api/ssh-keys': ok([key(3, 'laptop'), key(4, 'desk')]),
    'POST /api/servers': ok({ server: { id: 9, status: 'active' } as ServerView }, 201),
  });
}

describe('the deploy form offers the SSH keys', () => {
  afterEach(() => window.history.replaceState(null, '', '/'));

  it('the keys ticked go with the deploy as sshKeyIds', async () => {
    window.history.replaceState(null, '', '/deploy?plan=2');
    const requests = serving();
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const view = render(
      <QueryClientProvider client={client}>
        <Deploy />
      </QueryClientProvider>,
    );
    await waitFor(() => expect(screen.getByLabelText(/desk/)).toBeTruthy());
    await waitFor(() => expect(screen.getByRole('option', { name: 'Debian 12' })).toBeTruthy());
    fireEvent.change(screen.getByLabelText('Operating system'), { target: { value: '44' } });
    fireEvent.change(screen.getByLabelText('Hostname'), { target: { value: 'web9.example.test' } });
    fireEvent.click(screen.getByLabelText(/desk/));
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    await waitFor(() => expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1));
    const body = requests.find((r) => r.method === 'POST')!.body as Record<string, unknown>;
    expect(body).toMatchObject({
      planId: 2,
      osTemplateId: 44,
      hostname: 'web9.example.test',
      sshKeyIds: [4],
    });
    // The deploy finishes on the new server's page.
    await waitFor(() => expect(window.location.pathname).toBe('/servers/9'));
    view.unmount();
  });
});
