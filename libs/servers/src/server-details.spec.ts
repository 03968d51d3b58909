import { careOf } from './server-details.service';
import { historyInWords } from './server-history';
import { Server, ServerEvent } from './server.entity';

const NOW = new Date('2026-03-01T12:00:00Z').getTime();
const MINUTE = 60_000;

/** A server row as the entity holds it; override what the case is about. */
function aServerRow(overrides: Partial<Server> = {}): Server {
  return Object.assign(new Server(), {
    id: 7,
    userId: 3,
    status: 'active',
    overdueSince: null,
    leaseUntil: null,
    attempts: 1,
    createdAt: new Date(NOW - 5 * MINUTE),
    ...overrides,
  });
}

function anEvent(type: string, actor: string, detail: string | null = null): ServerEvent {
  return Object.assign(new ServerEvent(), {
    id: 1,
    serverId: 7,
    type,
    actor,
    detail,
    createdAt: new Date(NOW),
  });
}

describe('careOf: why an admin should look at a server', () => {
  it.each([
    ['a healthy active server', {}, []],
    ['an unpaid renewal', { overdueSince: new Date(NOW - 60 * MINUTE) }, ['overdue']],
    [
      'suspended for it',
      { status: 'suspended', overdueSince: new Date(NOW - 60 * MINUTE) },
      ['overdue', 'suspended'],
    ],
    ['a failed deploy', { status: 'failed' }, ['failed']],
    ['a deploy waiting for its payment', { status: 'awaiting_funds' }, ['waiting']],
    [
      'provisioning for 5 minutes, lease held',
      { status: 'provisioning', leaseUntil: new Date(NOW + MINUTE) },
      [],
    ],
    [
      'provisioning whose lease ran out',
      { status: 'provisioning', leaseUntil: new Date(NOW - MINUTE) },
      ['provisioning_stuck'],
    ],
    [
      'provisioning tried 4 times',
      { status: 'provisioning', attempts: 4, leaseUntil: new Date(NOW + MINUTE) },
      ['provisioning_stuck'],
    ],
    [
      'provisioning for 31 minutes',
      { status: 'provisioning', createdAt: new Date(NOW - 31 * MINUTE), leaseUntil: new Date(NOW + MINUTE) },
      ['provisioning_stuck'],
    ],
  ] as const)('%s', (_, overrides, care) => {
    expect(careOf(aServerRow(overrides as Partial<Server>), NOW)).toEqual(care);
  });
});

describe('historyInWords: server events as sentences a customer understands', () => {
  it('says what happened and who did it, and leaves out VirtFusion ids, packages and retries', () => {
    const lines = historyInWords(
      [
        anEvent('charged', 'user:3', 'first month A$12.00'),
        anEvent('create_requested', 'system', 'package 1'),
        anEvent('created', 'system', 'VirtFusion server 500'),
        anEvent('retry_scheduled', 'system', 'VirtFusion did not answer; next attempt in 1 min'),
        anEvent('build_requested', 'system', 'OS template 8'),
        anEvent('active', 'system', 'IPv4 203.0.113.5'),
        anEvent('restart_requested', 'user:3'),
        anEvent('restart_succeeded', 'user:3'),
        anEvent('poweroff_failed', 'admin:1', 'The server is suspended.'),
        anEvent('renewal_charged', 'system', 'A$12.00 to 2026-03-31T09:00:00.000Z'),
        anEvent('suspended', 'admin:1', 'suspended by an admin: abuse report'),
        anEvent('cancel_at_period_end', 'user:3', 'ends on 2026-04-30T09:00:00.000Z; no further renewals'),
        anEvent('reset_password_succeeded', 'cli:root'),
        anEvent('console_opened', 'user:3'),
      ],
      3,
    );
    expect(lines.map((l) => [l.text, l.actor])).toEqual([
      ['Ordered and paid: first month A$12.00', 'you'],
      ['Ready at 203.0.113.5', 'system'],
      ['Restarted', 'you'],
      ['Power off failed: The server is suspended.', 'support'],
      ['Renewed: A$12.00, paid until 31 Mar 2026', 'system'],
      ['Suspended by support', 'support'],
      ['Cancelled at the end of the paid period: ends on 30 Apr 2026; no further renewals', 'you'],
      ['Root password reset', 'support'],
    ]);
    expect(lines.every((l) => l.at === new Date(NOW).toISOString())).toBe(true);
  });
});
