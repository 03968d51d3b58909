import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { loadConfig } from './app-config';

const NO_FILE = { OZVPS_ENV_FILE: '/dev/null' };

describe('loadConfig', () => {
  it('runs with no environment at all on safe defaults', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cfg-'));
    const config = loadConfig({}, cwd);
    expect(config).toEqual({
      nodeEnv: 'development',
      port: 3000,
      host: '0.0.0.0',
      appUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      dataDir: join(cwd, '.data'),
      embeddedPgPort: 54329,
      walletCurrency: 'aud',
      walletMaxAdjustCents: 10_000_000,
      logLevel: 'log',
      sessionTtlHours: 336,
      signupCreditCents: 0,
      secureCookies: false,
      trustProxy: ['loopback'],
      oidc: undefined,
      virtfusion: undefined,
      stripe: undefined,
      topups: { minCents: 500, maxCents: 100000, presetsCents: [1000, 2500, 5000, 10000] },
      planSyncCron: '*/10 * * * *',
      testJobsCron: null,
      sandbox: false,
      renewals: {
        graceHours: 24,
        terminateAfterDays: 14,
        repriceNoticeDays: 30,
        reminderDays: 3,
        finalWarningDays: 2,
      },
      mail: {
        smtp: undefined,
        from: 'OzVPS <noreply@localhost>',
        adminAlertEmail: undefined,
        panelName: 'OzVPS',
      },
      backups: { dir: undefined, keepDays: 14 },
      seller: { name: 'OzVPS', abn: undefined, address: undefined, email: undefined, gstRegistered: false },
      logFormat: 'text',
      metricsToken: undefined,
      adminRequire2fa: true,
      site: { supportEmail: undefined, termsUrl: undefined, privacyUrl: undefined },
    });
  });

  it('takes SUPPORT_EMAIL, TERMS_URL and PRIVACY_URL for the front page', () => {
    const config = loadConfig({
      ...NO_FILE,
      SUPPORT_EMAIL: 'help@example.com',
      TERMS_URL: 'https://example.com/terms',
      PRIVACY_URL: 'https://example.com/privacy',
    });
    expect(config.site).toEqual({
      supportEmail: 'help@example.com',
      termsUrl: 'https://example.com/terms',
      privacyUrl: 'https://example.com/privacy',
    });
  });

  it('refuses a SUPPORT_EMAIL that is not an address and terms or privacy links that are not https', () => {
    const load = () =>
      loadConfig({
        ...NO_FILE,
        SUPPORT_EMAIL: 'help at example',
        TERMS_URL: 'http://example.com/terms',
        PRIVACY_URL: 'javascript:alert(1)',
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/SUPPORT_EMAIL must be an email address/);
    expect(load).toThrow(/TERMS_URL must be an https:\/\/ URL/);
    expect(load).toThrow(/PRIVACY_URL must be an https:\/\/ URL/);
  });

  it('takes SMTP_URL as smtp:// or smtps:// with optional credentials, and shows it without the password', () => {
    const config = loadConfig({
      ...NO_FILE,
      SMTP_URL: 'smtps://mailer:s3cret-pw@mail.example.com',
      MAIL_FROM: 'Example Cloud <billing@example.com>',
      ADMIN_ALERT_EMAIL: 'ops@example.com',
      PANEL_NAME: 'Example Cloud',
    });
    expect(config.mail).toEqual({
      smtp: {
        url: 'smtps://mailer:s3cret-pw@mail.example.com',
        display: 'smtps://mailer@mail.example.com',
        secure: true,
        host: 'mail.example.com',
        port: 465,
        timeoutMs: 30_000,
      },
      from: 'Example Cloud <billing@example.com>',
      adminAlertEmail: 'ops@example.com',
      panelName: 'Example Cloud',
    });
    expect(loadConfig({ ...NO_FILE, SMTP_URL: 'smtp://localhost:2525' }).mail.smtp).toMatchObject({
      secure: false,
      port: 2525,
      display: 'smtp://localhost:2525',
    });
    expect(loadConfig({ ...NO_FILE, SMTP_URL: 'smtp://relay.example.com' }).mail.smtp?.port).toBe(587);
  });

  it('refuses a bad SMTP_URL, MAIL_FROM or ADMIN_ALERT_EMAIL by name, never echoing the SMTP password', () => {
    for (const bad of [
      'http://mailer:s3cret-pw@mail.example.com',
      'mailer:s3cret-pw@mail.example.com',
      'smtp://mailer:s3cret-pw@mail.example.com/path',
      'smtp://mailer:s3cret-pw@',
    ]) {
      expect(() => loadConfig({ ...NO_FILE, SMTP_URL: bad })).toThrow(
        expect.objectContaining({
          message: expect.stringMatching(/SMTP_URL must/) as unknown,
        }),
      );
      expect(() => loadConfig({ ...NO_FILE, SMTP_URL: bad })).toThrow(
        expect.objectContaining({ message: expect.not.stringContaining('s3cret-pw') as unknown }),
      );
    }
    expect(() => loadConfig({ ...NO_FILE, MAIL_FROM: 'not an address' })).toThrow(/MAIL_FROM must be/);
    expect(() => loadConfig({ ...NO_FILE, MAIL_FROM: 'Evil <a@b.c>\r\nBcc: x@y.z' })).toThrow(
      /MAIL_FROM must be/,
    );
    expect(() => loadConfig({ ...NO_FILE, ADMIN_ALERT_EMAIL: 'ops' })).toThrow(
      /ADMIN_ALERT_EMAIL must be an email address/,
    );
    // A list: each address checked, the bad one named.
    expect(
      loadConfig({ ...NO_FILE, ADMIN_ALERT_EMAIL: 'ops@example.com,  oncall@example.com ' }).mail
        .adminAlertEmail,
    ).toBe('ops@example.com, oncall@example.com');
    expect(() => loadConfig({ ...NO_FILE, ADMIN_ALERT_EMAIL: 'ops@example.com, "x;y"@example.com' })).toThrow(
      /ADMIN_ALERT_EMAIL must be an email address or a comma-separated list of them \(not ""x;y"@example.com"\)/,
    );
    expect(() => loadConfig({ ...NO_FILE, ADMIN_ALERT_EMAIL: 'ops@example.com,' })).toThrow(
      /ADMIN_ALERT_EMAIL/,
    );
    expect(loadConfig({ ...NO_FILE, MAIL_FROM: 'billing@example.com' }).mail.from).toBe(
      'billing@example.com',
    );
  });

  it('reads .env from the working directory; the real environment wins; blank means unset', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(
      join(cwd, '.env'),
      '# comment\nPORT=4000\nWALLET_CURRENCY=NZD\nAPP_URL=https://panel.example.com/\nDATABASE_URL=\n',
    );
    const config = loadConfig({ PORT: '5000' }, cwd);
    expect(config.port).toBe(5000);
    expect(config.walletCurrency).toBe('nzd');
    expect(config.appUrl).toBe('https://panel.example.com');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.secureCookies).toBe(true);
  });

  it('takes REPRICE_NOTICE_DAYS as a whole number of days from 0, and refuses anything else', () => {
    expect(loadConfig({ ...NO_FILE, REPRICE_NOTICE_DAYS: '0' }).renewals.repriceNoticeDays).toBe(0);
    expect(loadConfig({ ...NO_FILE, REPRICE_NOTICE_DAYS: '45' }).renewals.repriceNoticeDays).toBe(45);
    for (const bad of ['-1', '2.5', 'soon'])
      expect(() => loadConfig({ ...NO_FILE, REPRICE_NOTICE_DAYS: bad })).toThrow(/REPRICE_NOTICE_DAYS/);
  });

  it('takes RENEWAL_REMINDER_DAYS as whole days from 0 to 28, and refuses anything else', () => {
    expect(loadConfig({ ...NO_FILE, RENEWAL_REMINDER_DAYS: '0' }).renewals.reminderDays).toBe(0);
    expect(loadConfig({ ...NO_FILE, RENEWAL_REMINDER_DAYS: '7' }).renewals.reminderDays).toBe(7);
    for (const bad of ['-1', '2.5', 'soon', '29'])
      expect(() => loadConfig({ ...NO_FILE, RENEWAL_REMINDER_DAYS: bad })).toThrow(/RENEWAL_REMINDER_DAYS/);
  });

  it('takes FINAL_WARNING_DAYS as whole days from 1, before TERMINATE_AFTER_DAYS, and refuses anything else', () => {
    expect(loadConfig({ ...NO_FILE, FINAL_WARNING_DAYS: '5' }).renewals.finalWarningDays).toBe(5);
    for (const bad of ['0', '-1', '1.5', 'soon'])
      expect(() => loadConfig({ ...NO_FILE, FINAL_WARNING_DAYS: bad })).toThrow(/FINAL_WARNING_DAYS/);
    expect(() => loadConfig({ ...NO_FILE, FINAL_WARNING_DAYS: '14' })).toThrow(
      /FINAL_WARNING_DAYS \(14\) must be less than TERMINATE_AFTER_DAYS \(14\)/,
    );
    expect(
      loadConfig({ ...NO_FILE, FINAL_WARNING_DAYS: '14', TERMINATE_AFTER_DAYS: '30' }).renewals
        .finalWarningDays,
    ).toBe(14);
  });

  it('takes TRUST_PROXY as Express does (names, addresses, CIDR ranges, a hop count) and refuses true', () => {
    const trust = (value: string) => loadConfig({ ...NO_FILE, TRUST_PROXY: value }).trustProxy;
    expect(trust('loopback')).toEqual(['loopback']);
    expect(trust(' loopback, 172.16.0.0/12 ,10.0.0.5,fd00::/8 ')).toEqual([
      'loopback',
      '172.16.0.0/12',
      '10.0.0.5',
      'fd00::/8',
    ]);
    expect(trust('uniquelocal')).toEqual(['uniquelocal']);
    expect(trust('1')).toBe(1);
    expect(trust('0')).toBe(0);
    expect(() => trust('true')).toThrow(
      /TRUST_PROXY must not be true: it would trust an X-Forwarded-For header sent by any client/,
    );
    expect(() => trust('TRUE')).toThrow(/TRUST_PROXY must not be true/);
    // Ranges that take in the whole internet are refused with a reason (proxy-addr itself would throw
    // a bare "invalid range" for a /0, and accept 0.0.0.0/1 + 128.0.0.0/1, which trusts everyone).
    for (const wide of ['0.0.0.0/0', '::/0', '0.0.0.0/1,128.0.0.0/1', 'loopback, 64.0.0.0/2', '::/6'])
      expect(() => trust(wide)).toThrow(/TRUST_PROXY must not trust so wide a range/);
    expect(trust('10.0.0.0/8,fc00::/7')).toEqual(['10.0.0.0/8', 'fc00::/7']);
    for (const bad of ['172.16.0.0/33', 'proxy.example.com', '10.0.0.1/8/1', '11', '-1', 'loopback,,'])
      expect({
        bad,
        error: (() => {
          try {
            trust(bad);
            return null;
          } catch (e) {
            return (e as Error).message;
          }
        })(),
      }).toEqual({ bad, error: expect.stringMatching(/TRUST_PROXY must be/) });
  });

  it('takes OZVPS_TEST_JOBS_CRON (six fields, with seconds) only with NODE_ENV=test', () => {
    const test = { ...NO_FILE, NODE_ENV: 'test' };
    expect(loadConfig({ ...test, OZVPS_TEST_JOBS_CRON: '*/2 * * * * *' }).testJobsCron).toBe('*/2 * * * * *');
    expect(loadConfig(test).testJobsCron).toBeNull();
    expect(() => loadConfig({ ...NO_FILE, OZVPS_TEST_JOBS_CRON: '*/2 * * * * *' })).toThrow(
      /OZVPS_TEST_JOBS_CRON is for tests only: it needs NODE_ENV=test/,
    );
    expect(() =>
      loadConfig({ ...NO_FILE, NODE_ENV: 'production', OZVPS_TEST_JOBS_CRON: '*/2 * * * * *' }),
    ).toThrow(/needs NODE_ENV=test/);
    expect(() => loadConfig({ ...test, OZVPS_TEST_JOBS_CRON: '*/2 * * * *' })).toThrow(
      /OZVPS_TEST_JOBS_CRON must be a six-field cron expression/,
    );
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ ...NO_FILE, PORT: '0', WALLET_CURRENCY: 'dollars', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toMatch(/PORT must not be less than 1 \(got "0"\)/);
    expect(message).toMatch(/WALLET_CURRENCY must be a three-letter ISO currency code/);
    expect(message).toMatch(/LOG_LEVEL must be one of the following values/);
  });

  it('never echoes the value of a secret-bearing variable', () => {
    expect(() => loadConfig({ ...NO_FILE, DATABASE_URL: 'mysql://root:hunter2@db/x' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });

  it('takes DATABASE_OWNER_URL beside DATABASE_URL, never echoes it, and refuses it alone', () => {
    const config = loadConfig({
      ...NO_FILE,
      DATABASE_URL: 'postgres://panel:p@db/ozvps',
      DATABASE_OWNER_URL: 'postgres://owner:o@db/ozvps',
    });
    expect(config.databaseOwnerUrl).toBe('postgres://owner:o@db/ozvps');
    expect(() =>
      loadConfig({
        ...NO_FILE,
        DATABASE_URL: 'postgres://a@db/x',
        DATABASE_OWNER_URL: 'mysql://o:hunter2@db/x',
      }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
    expect(() => loadConfig({ ...NO_FILE, DATABASE_OWNER_URL: 'postgres://owner:o@db/ozvps' })).toThrow(
      /DATABASE_OWNER_URL needs DATABASE_URL too/,
    );
  });

  it('wants all three OIDC values or none', () => {
    expect(() => loadConfig({ ...NO_FILE, OIDC_ISSUER_URL: 'https://login.example.com' })).toThrow(
      /OIDC_CLIENT_ID, OIDC_CLIENT_SECRET must be set too/,
    );
    const config = loadConfig({
      ...NO_FILE,
      OIDC_ISSUER_URL: 'https://tenant.auth0.com/',
      OIDC_CLIENT_ID: 'id',
      OIDC_CLIENT_SECRET: 's3cret',
    });
    expect(config.oidc).toEqual({
      issuerUrl: 'https://tenant.auth0.com/',
      clientId: 'id',
      clientSecret: 's3cret',
      providerName: 'tenant.auth0.com',
    });
  });

  it('takes BACKUP_DIR as an absolute path and BACKUP_KEEP_DAYS as whole days from 1 to 3650', () => {
    const config = loadConfig({
      ...NO_FILE,
      BACKUP_DIR: '/opt/ozvps-panel/backups/',
      BACKUP_KEEP_DAYS: '30',
    });
    expect(config.backups).toEqual({ dir: '/opt/ozvps-panel/backups', keepDays: 30 });
    expect(loadConfig({ ...NO_FILE, BACKUP_DIR: '  ' }).backups).toEqual({ dir: undefined, keepDays: 14 });
    expect(() => loadConfig({ ...NO_FILE, BACKUP_DIR: 'backups' })).toThrow(
      /BACKUP_DIR must be an absolute path/,
    );
    for (const bad of ['0', '3651', '7.5', 'a week'])
      expect(() => loadConfig({ ...NO_FILE, BACKUP_KEEP_DAYS: bad })).toThrow(/BACKUP_KEEP_DAYS/);
    expect(loadConfig({ ...NO_FILE, BACKUP_KEEP_DAYS: '3650' }).backups.keepDays).toBe(3650);
  });

  it('requires two-factor sign-in for admins unless ADMIN_REQUIRE_2FA is false, and refuses other values', () => {
    expect(loadConfig({ ...NO_FILE }).adminRequire2fa).toBe(true);
    expect(loadConfig({ ...NO_FILE, ADMIN_REQUIRE_2FA: 'false' }).adminRequire2fa).toBe(false);
    expect(loadConfig({ ...NO_FILE, ADMIN_REQUIRE_2FA: ' 0 ' }).adminRequire2fa).toBe(false);
    expect(loadConfig({ ...NO_FILE, ADMIN_REQUIRE_2FA: 'TRUE' }).adminRequire2fa).toBe(true);
    expect(() => loadConfig({ ...NO_FILE, ADMIN_REQUIRE_2FA: 'no' })).toThrow(
      /ADMIN_REQUIRE_2FA must be true or false \(got "no"\)/,
    );
  });

  it('fails clearly when OZVPS_ENV_FILE points nowhere', () => {
    expect(() => loadConfig({ OZVPS_ENV_FILE: '/nonexistent/ozvps.env' })).toThrow(
      /OZVPS_ENV_FILE points to \/nonexistent\/ozvps.env/,
    );
  });

  describe('seller profile (documents)', () => {
    it('takes BUSINESS_* and GST_REGISTERED as config.seller, the ABN without its spaces', () => {
      const config = loadConfig({
        ...NO_FILE,
        BUSINESS_NAME: 'Example Cloud Pty Ltd',
        BUSINESS_ABN: '51 824 753 556',
        BUSINESS_ADDRESS: '1 George St, Sydney NSW 2000',
        BUSINESS_EMAIL: 'accounts@example.com',
        GST_REGISTERED: 'true',
      });
      expect(config.seller).toEqual({
        name: 'Example Cloud Pty Ltd',
        abn: '51824753556',
        address: '1 George St, Sydney NSW 2000',
        email: 'accounts@example.com',
        gstRegistered: true,
      });
    });

    it('names the seller after PANEL_NAME when BUSINESS_NAME is unset', () => {
      expect(loadConfig({ ...NO_FILE, PANEL_NAME: 'Example Cloud' }).seller.name).toBe('Example Cloud');
    });

    it.each([
      ['51 824 753 557', 'fails the ABN checksum'],
      ['5182475355', 'must have 11 digits (got 10)'],
      ['51-824-753-556', 'must contain only digits'],
    ])('refuses BUSINESS_ABN %s and names the reason', (abn, reason) => {
      expect(() => loadConfig({ ...NO_FILE, BUSINESS_ABN: abn })).toThrow(`BUSINESS_ABN ${reason}`);
    });

    it('refuses GST_REGISTERED without BUSINESS_ABN, and a BUSINESS_EMAIL that is not an address', () => {
      expect(() => loadConfig({ ...NO_FILE, GST_REGISTERED: 'true' })).toThrow(/needs BUSINESS_ABN/);
      expect(() => loadConfig({ ...NO_FILE, BUSINESS_EMAIL: 'accounts' })).toThrow(
        /BUSINESS_EMAIL must be an email address/,
      );
    });
  });

  it('takes LOG_FORMAT as text or json, and refuses anything else', () => {
    expect(loadConfig({ ...NO_FILE, LOG_FORMAT: ' JSON ' }).logFormat).toBe('json');
    expect(loadConfig({ ...NO_FILE, LOG_FORMAT: 'text' }).logFormat).toBe('text');
    expect(() => loadConfig({ ...NO_FILE, LOG_FORMAT: 'yaml' })).toThrow(
      /LOG_FORMAT must be text or json \(got "yaml"\)/,
    );
  });

  it('takes METRICS_TOKEN of at least 24 printable characters, and never echoes a refused one', () => {
    const token = 'a'.repeat(24);
    expect(loadConfig({ ...NO_FILE, METRICS_TOKEN: ` ${token} ` }).metricsToken).toBe(token);
    expect(loadConfig({ ...NO_FILE, METRICS_TOKEN: '' }).metricsToken).toBeUndefined();
    for (const bad of ['short-secret-xyz', 'has a space in it 0123456789', 'x'.repeat(201)]) {
      let message = '';
      try {
        loadConfig({ ...NO_FILE, METRICS_TOKEN: bad });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        message = (err as Error).message;
      }
      expect(message).toMatch(/METRICS_TOKEN must be 24 to 200 printable characters/);
      expect(message).not.toContain(bad.slice(0, 12));
    }
  });
});
