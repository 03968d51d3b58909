import type { ServerDetailView, ServerView } from '../api';

/** A server as the list shows it (GET /api/servers), active and paid; override what a test is about. */
export function aServerView(overrides: Partial<ServerView> = {}): ServerView {
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
    topup: null,
    ...overrides,
  } as ServerView;
}

/** A server as its page shows it (GET /api/servers/:id): the list's fields plus specs and addresses. */
export function aServerDetailView(overrides: Partial<ServerDetailView> = {}): ServerDetailView {
  return {
    ...aServerView(),
    plan: { name: 'Starter', vcpu: 2, memoryMb: 2048, diskGb: 40, trafficGb: 1000 },
    os: 'Debian 12',
    ipv4: ['203.0.113.7'],
    ipv6: ['2001:db8::7'],
    cancelAtPeriodEnd: false,
    nextRenewalAt: '2026-02-28T09:00:00.000Z',
    ...overrides,
  } as ServerDetailView;
}
