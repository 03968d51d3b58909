import { TEMPLATES, TemplateContext } from '.';

const ctx: TemplateContext = {
  panelName: 'OzVPS',
  appUrl: 'https://panel.example.com',
  currency: 'aud',
  supportEmail: 'help@panel.example.com',
};
const HOSTILE = '<b>x</b>';
const render = <K extends keyof typeof TEMPLATES>(
  kind: K,
  data: Parameters<(typeof TEMPLATES)[K]['render']>[0],
) =>
  (
    TEMPLATES[kind].render as (
      d: typeof data,
      c: TemplateContext,
    ) => ReturnType<(typeof TEMPLATES)[K]['render']>
  )(data, ctx);

const at = new Date('2027-01-23T09:05:00Z');
const later = new Date('2027-02-23T09:05:00Z');

/** Every server kind, rendered for a server whose hostname is markup. */
const serverKinds = () => [
  render('server-ready', {
    serverId: 7,
    hostname: HOSTILE,
    ips: ['203.0.113.9'],
    osName: 'Debian 12',
    sshKeyNames: [],
  }),
  render('renewal-reminder', {
    serverId: 7,
    hostname: HOSTILE,
    renewsAt: at,
    priceCents: 1200,
    balanceCents: 700,
    shortfallCents: 500,
    graceHours: 24,
  }),
  render('renewal-charged', {
    serverId: 7,
    hostname: HOSTILE,
    amountCents: 1200,
    periodFrom: at,
    periodTo: later,
    balanceCents: 123456,
  }),
  render('renewal-failed', {
    serverId: 7,
    hostname: HOSTILE,
    amountCents: 1200,
    balanceCents: -50,
    shortfallCents: 1250,
    dueAt: at,
    graceEndsAt: later,
    writtenAt: at,
  }),
  render('suspended', {
    reason: 'overdue',
    serverId: 7,
    hostname: HOSTILE,
    amountDueCents: 1200,
    shortfallCents: 1200,
    terminatesAt: later,
  }),
  render('suspended', { reason: 'admin', serverId: 7, hostname: HOSTILE }),
  render('final-warning', {
    serverId: 7,
    hostname: HOSTILE,
    amountDueCents: 1200,
    shortfallCents: 1200,
    terminatesAt: later,
  }),
  render('terminated', { serverId: 7, hostname: HOSTILE, reason: 'overdue' }),
  render('terminated', { serverId: 7, hostname: HOSTILE, reason: 'admin' }),
  render('price-change', { serverId: 7, hostname: HOSTILE, oldCents: 1200, newCents: 1500, from: later }),
];

describe('server and renewal message templates', () => {
  it('escape a hostname like <b>x</b> in the HTML body and keep it as written in the text', () => {
    for (const mail of serverKinds()) {
      expect(mail.html).not.toContain(HOSTILE);
      expect(mail.html).toContain('&lt;b&gt;x&lt;/b&gt;');
      expect(mail.text).toContain(HOSTILE);
      expect(mail.subject).toContain(HOSTILE);
      // the panel's name and address on every message; no images, nothing remote that reports an open
      expect(mail.text).toContain('https://panel.example.com');
      expect(mail.html).toContain('OzVPS');
      expect(mail.html).not.toMatch(/<img|src=/i);
    }
  });

  it('format money in the wallet currency (cents, thousands, negative balances)', () => {
    const [, reminder, receipt, failed] = serverKinds();
    expect(reminder!.text).toContain('Renewal price: A$12.00');
    expect(reminder!.text).toContain('Wallet balance: A$7.00');
    expect(reminder!.text).toContain('Short by: A$5.00');
    expect(reminder!.subject).toBe('Top up A$5.00 before <b>x</b> renews');
    expect(receipt!.text).toContain('New balance: A$1,234.56');
    expect(receipt!.text).toContain('Period: 23 Jan 2027 to 23 Feb 2027');
    expect(failed!.text).toContain('Wallet balance: -A$0.50');
    expect(failed!.text).toContain('Short by: A$12.50');
    expect(failed!.text).toContain('Will be suspended at: 23 Feb 2027, 09:05 UTC');
  });

  it('link where the customer acts: the wallet to top up, the server page otherwise', () => {
    const [ready, reminder, receipt, failed, overdue, admin, warning, , , price] = serverKinds();
    for (const m of [reminder, receipt, failed, overdue, warning])
      expect(m!.text).toContain('https://panel.example.com/wallet');
    for (const m of [ready, admin, price]) expect(m!.text).toContain('https://panel.example.com/servers/7');
  });

  it('server-ready says how to log in without any password, and the suspensions say different things', () => {
    const [ready, , , , overdue, admin, , gone, removed] = serverKinds();
    expect(ready!.text).toContain('ssh root@203.0.113.9');
    expect(ready!.text).toContain('Operating system: Debian 12');
    expect(ready!.text).not.toMatch(/password or SSH key you chose/);
    expect(ready!.text).toMatch(/No SSH key was chosen and no root password was set/);
    expect(overdue!.text).toMatch(/Top up at least A\$12\.00/);
    expect(overdue!.text).not.toMatch(/contact/i);
    expect(admin!.text).toMatch(/contact OzVPS support at help@panel\.example\.com/);
    expect(admin!.text).not.toMatch(/top up/i);
    expect(gone!.text).toMatch(/renewal unpaid/);
    expect(removed!.text).toMatch(/contact OzVPS support at help@panel\.example\.com/);
  });

  it('server-ready names the SSH keys installed at deploy; without keys it points to Reset root password and the Console', () => {
    const ready = (sshKeyNames: string[]) =>
      render('server-ready', {
        serverId: 7,
        hostname: 'web1',
        ips: ['203.0.113.9'],
        osName: null,
        sshKeyNames,
      });
    const keyed = ready(['laptop', 'work <desk>']);
    expect(keyed.text).toContain('ssh root@203.0.113.9');
    expect(keyed.text).toContain('with the SSH keys you chose when you deployed: laptop, work <desk>.');
    expect(keyed.html).toContain('laptop, work &lt;desk&gt;');
    expect(keyed.text).not.toMatch(/password you chose/);
    const bare = ready([]);
    expect(bare.text).toMatch(/"Reset root password" on the server's page/);
    expect(bare.text).toMatch(/open the Console there/);
    expect(bare.text).toContain('https://panel.example.com/servers/7');
    expect(bare.text).not.toMatch(/SSH key you chose/);
  });

  it('renewal-failed found after its grace has passed asks for a top-up now, not before a time already gone', () => {
    const late = render('renewal-failed', {
      serverId: 7,
      hostname: 'web1',
      amountCents: 1200,
      balanceCents: 0,
      shortfallCents: 1200,
      dueAt: at,
      graceEndsAt: later,
      writtenAt: new Date(later.getTime() + 60_000),
    });
    expect(late.text).not.toContain('before 23 Feb 2027');
    expect(late.text).not.toContain('Will be suspended at');
    expect(late.text).toMatch(/The time to top up has passed: top up at least A\$12\.00 now/);
  });

  it('a reminder short because of other renewals due first says what they take; the receipt points to the Billing page', () => {
    const reminder = (earlierRenewalsCents: number) =>
      render('renewal-reminder', {
        serverId: 7,
        hostname: 'web1',
        renewsAt: at,
        priceCents: 1200,
        balanceCents: 1500,
        shortfallCents: 900,
        earlierRenewalsCents,
        graceHours: 24,
      });
    expect(reminder(1200).text).toContain('Your other renewals due first take A$12.00 of that balance.');
    expect(reminder(0).text).not.toContain('other renewals');
    const [, , receipt] = serverKinds();
    expect(receipt!.text).toContain(
      'switch these receipts off on your Billing page: https://panel.example.com/billing',
    );
    expect(receipt!.text).not.toMatch(/wallet page/);
  });

  it('price-change, cancelled: says the change announced for its date is off and what the customer keeps paying', () => {
    const off = render('price-change', {
      serverId: 7,
      hostname: 'web1',
      oldCents: 1200,
      newCents: 1500,
      from: later,
      cancelled: true,
    });
    expect(off.subject).toBe('Price change for web1 on 23 Feb 2027 cancelled');
    expect(off.text).toContain(
      'The price change announced for 23 Feb 2027 is cancelled; you keep paying A$12.00 a month for your server web1.',
    );
    expect(off.text).toContain('https://panel.example.com/servers/7');
    expect(off.text).not.toMatch(/changes from/);
  });

  it('email-verification and password-reset carry their link and its expiry, escaped in HTML', () => {
    const link = 'https://panel.example.com/verify?token=a&b="c"';
    const verify = render('email-verification', { verifyUrl: link, expiresAt: at });
    expect(verify.subject).toBe('Confirm your email address for OzVPS');
    expect(verify.text).toContain(link);
    expect(verify.text).toContain('expires on 23 Jan 2027, 09:05 UTC');
    expect(verify.html).toContain('href="https://panel.example.com/verify?token=a&amp;b=&quot;c&quot;"');
    const reset = render('password-reset', {
      resetUrl: 'https://panel.example.com/reset?t=1',
      expiresAt: at,
    });
    expect(reset.subject).toBe('Reset your OzVPS password');
    expect(reset.text).toContain('Choose a new password: https://panel.example.com/reset?t=1');
    expect(reset.text).toContain('expires on 23 Jan 2027, 09:05 UTC');
    expect(TEMPLATES['email-verification'].category).toBe('notice');
    expect(TEMPLATES['password-reset'].category).toBe('notice');
  });

  it('password-changed, email-change and email-change-notice say what happened; only email-change carries a link', () => {
    const reset = render('password-changed', { changedAt: at, how: 'reset' });
    expect(reset.subject).toBe('Your OzVPS password was changed');
    expect(reset.text).toContain(
      'changed on 23 Jan 2027, 09:05 UTC with a password-reset link. Every session was signed out.',
    );
    expect(reset.text).toContain('https://panel.example.com/forgot-password');
    const account = render('password-changed', { changedAt: at, how: 'account' });
    expect(account.text).toContain('from your account page. Your other sessions were signed out.');
    const change = render('email-change', {
      confirmUrl: 'https://panel.example.com/verify-email#token=x',
      expiresAt: at,
    });
    expect(change.subject).toBe('Confirm your new email address for OzVPS');
    expect(change.text).toContain('Use this email address: https://panel.example.com/verify-email#token=x');
    const notice = render('email-change-notice', { newEmail: HOSTILE });
    expect(notice.subject).toBe('A change of email was requested on your OzVPS account');
    expect(notice.text).toContain(`to change its email address to ${HOSTILE}`);
    expect(notice.html).not.toContain(HOSTILE);
    expect(notice.text).not.toContain('#token=');
    for (const kind of ['password-changed', 'email-change', 'email-change-notice'] as const)
      expect(TEMPLATES[kind].category).toBe('notice');
  });

  it('only the renewal receipt can be switched off; every warning about money or servers is a notice', () => {
    expect(TEMPLATES['renewal-charged'].category).toBe('receipt');
    for (const kind of [
      'server-ready',
      'renewal-reminder',
      'renewal-failed',
      'suspended',
      'final-warning',
      'terminated',
      'price-change',
    ] as const)
      expect(TEMPLATES[kind].category).toBe('notice');
  });
});
