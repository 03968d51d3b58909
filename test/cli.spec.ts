import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DataSource } from 'typeorm';
import { asPanelRole, createTestDatabase, openDataSource, TestDatabase } from './helpers/database';
import { CLI_MAIN, ozvpsctl, RunResult, runNode } from './helpers/processes';

/** Everything a failed command could have written: it must be identical before and after. */
async function snapshot(ds: DataSource) {
  return {
    users: await ds.query(`SELECT id, email, name, role, password_hash FROM users ORDER BY id`),
    wallets: await ds.query(`SELECT user_id, balance_cents FROM wallets ORDER BY user_id`),
    rows: await ds.query(`SELECT count(*)::int AS n FROM wallet_transactions`),
  };
}

describe('ozvpsctl (the built binary, through the real command parser)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let cli: (...args: string[]) => Promise<RunResult>;
  let annId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
    cli = (...args) => ozvpsctl(db.url, args);
    const created = await cli(
      'users',
      'create',
      'Ann@Example.test',
      '--name',
      'Ann Admin',
      '--admin',
      '--json',
    );
    expect(created.code).toBe(0);
    annId = JSON.parse(created.stdout).id;
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  describe('users', () => {
    it('create --json prints the contract fields and an audit line on stderr', async () => {
      const r = await cli('users', 'create', 'bob@example.test', '--json');
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout);
      expect(Object.keys(json).sort()).toEqual([
        'createdAt',
        'disabledAt',
        'email',
        'id',
        'name',
        'role',
        'stripeCustomerId',
      ]);
      expect(json).toMatchObject({
        email: 'bob@example.test',
        name: '',
        role: 'user',
        stripeCustomerId: null,
      });
      expect(Number.isInteger(json.id)).toBe(true);
      expect(r.stderr).toMatch(
        /^audit \S+ actor=cli:tester action=users\.create user=\d+:bob@example\.test role=user$/m,
      );
    });

    it('create without --json prints the audit line on stdout', async () => {
      const r = await cli('users', 'create', 'carol@example.test', '--name', 'Carol');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^audit .* action=users\.create user=\d+:carol@example\.test/m);
      expect(r.stdout).toMatch(/^email:\s+carol@example\.test$/m);
    });

    it('create refuses a taken email in any letter case, and a malformed one, writing nothing', async () => {
      const before = await snapshot(ds);
      const taken = await cli('users', 'create', 'ANN@example.TEST');
      expect(taken.code).toBe(1);
      expect(taken.stderr.trim()).toBe('ozvpsctl: A user with the email ann@example.test already exists');
      const bad = await cli('users', 'create', 'not-an-email');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/is not a valid email address/);
      expect(await snapshot(ds)).toEqual(before);
    });

    it('show finds a user by email (any case) or id, with the contract fields', async () => {
      const byEmail = JSON.parse((await cli('users', 'show', 'ann@EXAMPLE.test', '--json')).stdout);
      const byId = JSON.parse((await cli('users', 'show', String(annId), '--json')).stdout);
      expect(byEmail).toEqual(byId);
      expect(byId).toMatchObject({ id: annId, email: 'ann@example.test', name: 'Ann Admin', role: 'admin' });
    });

    it('never prints raw control characters from data (ESC shown as a visible escape), and refuses them in a new name', async () => {
      // Rows written before names were checked: an ESC colour sequence, BEL and a C1 control.
      const name = 'Eve\x1b[2J\x07\x9b31m';
      const [eve] = await ds.query(
        `INSERT INTO users (email, name, role) VALUES ('eve-ctl@example.test', $1, 'user') RETURNING id`,
        [name],
      );
      const [mail] = await ds.query(
        `INSERT INTO outbox_messages (recipient, kind, subject, body_text, body_html, dedupe_key, status, next_attempt_at, give_up_at, user_id)
         VALUES ('eve-ctl@example.test', 'welcome', $1, $2, '<p>x</p>', 'ctl:eve', 'held', now(), now(), $3) RETURNING id`,
        [`Welcome ${name}`, `Hello ${name}\nline two`, eve.id],
      );
      // eslint-disable-next-line no-control-regex -- the test looks for raw control characters
      const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
      for (const args of [
        ['users', 'show', String(eve.id)],
        ['users', 'list'],
        ['mail', 'show', String(mail.id)],
        ['mail', 'list'],
      ]) {
        const r = await cli(...args);
        expect([args.join(' '), r.code]).toEqual([args.join(' '), 0]);
        expect(r.stdout).not.toMatch(raw);
        expect(r.stdout).toContain('Eve\\x1b[2J\\x07\\x9b31m');
      }
      const before = await snapshot(ds);
      const refused = await cli(
        'users',
        'create',
        'mallory-ctl@example.test',
        '--name',
        'Mal\x1b]0;pwned\x07',
      );
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/name must not contain control characters/);
      expect(await snapshot(ds)).toEqual(before);
    });

    it('list shows users as a table and as JSON', async () => {
      const table = await cli('users', 'list');
      expect(table.code).toBe(0);
      expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+EMAIL\s+NAME\s+ROLE\s+CREATED$/);
      const json = JSON.parse((await cli('users', 'list', '--json')).stdout);
      expect(json.map((u: { email: string }) => u.email)).toContain('ann@example.test');
    });
  });

  describe('wallet', () => {
    it('add credits the wallet, prints an audit line, and show/history report it', async () => {
      const r = await cli('wallet', 'add', 'ann@example.test', '2500', '--reason', 'welcome credit');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(
          `^audit \\S+ actor=cli:tester action=wallet\\.add user=${annId}:ann@example\\.test amount_cents=2500 balance_cents=2500 currency=aud$`,
          'm',
        ),
      );
      const show = JSON.parse((await cli('wallet', 'show', String(annId), '--json')).stdout);
      expect(show).toEqual({ userId: annId, email: 'ann@example.test', balanceCents: 2500, currency: 'aud' });

      const history = JSON.parse((await cli('wallet', 'history', 'ann@example.test', '--json')).stdout);
      expect(history).toHaveLength(1);
      expect(Object.keys(history[0]).sort()).toEqual(
        [
          'actor',
          'amountCents',
          'balanceAfterCents',
          'createdAt',
          'id',
          'reason',
          'stripeEventId',
          'type',
        ].sort(),
      );
      expect(history[0]).toMatchObject({
        type: 'admin_credit',
        amountCents: 2500,
        balanceAfterCents: 2500,
        reason: 'welcome credit',
        actor: 'cli:tester',
        stripeEventId: null,
      });
    });

    it('deduct without --yes writes nothing, says how to confirm, and exits 2', async () => {
      const before = await snapshot(ds);
      const r = await cli('wallet', 'deduct', 'ann@example.test', '500', '--reason', 'correction');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--yes/);
      expect(await snapshot(ds)).toEqual(before);
    });

    it('deduct --yes debits, and refuses to go below zero', async () => {
      const ok = await cli(
        'wallet',
        'deduct',
        'ann@example.test',
        '500',
        '--reason',
        'correction',
        '--yes',
        '--json',
      );
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({
        type: 'admin_debit',
        amountCents: -500,
        balanceAfterCents: 2000,
      });
      expect(ok.stderr).toMatch(/action=wallet\.deduct .* amount_cents=-500 balance_cents=2000/);

      const before = await snapshot(ds);
      const short = await cli(
        'wallet',
        'deduct',
        'ann@example.test',
        '2001',
        '--reason',
        'too much',
        '--yes',
      );
      expect(short.code).toBe(1);
      expect(short.stderr.trim()).toBe(
        'ozvpsctl: Insufficient funds: the balance is A$20.00 and A$20.01 was requested. Top up the wallet first.',
      );
      expect(await snapshot(ds)).toEqual(before);
    });

    it('history pages with --limit and --before, newest first', async () => {
      await cli('wallet', 'add', String(annId), '1', '--reason', 'one');
      await cli('wallet', 'add', String(annId), '2', '--reason', 'two');
      const page1 = JSON.parse(
        (await cli('wallet', 'history', String(annId), '--limit', '2', '--json')).stdout,
      );
      expect(page1.map((t: { amountCents: number }) => t.amountCents)).toEqual([2, 1]);
      const page2 = JSON.parse(
        (
          await cli(
            'wallet',
            'history',
            String(annId),
            '--limit',
            '2',
            '--before',
            String(page1[1].id),
            '--json',
          )
        ).stdout,
      );
      expect(page2.map((t: { amountCents: number }) => t.amountCents)).toEqual([-500, 2500]);
      const table = await cli('wallet', 'history', String(annId));
      expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+TIME\s+TYPE\s+AMOUNT\s+BALANCE\s+ACTOR\s+REASON$/);
    });

    it('verify passes on a consistent ledger and fails (exit 1) when a balance was edited by hand', async () => {
      const ok = await cli('wallet', 'verify', '--json');
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, drifted: [] });

      await ds.query(`UPDATE wallets SET balance_cents = balance_cents + 7 WHERE user_id = $1`, [annId]);
      try {
        const bad = await cli('wallet', 'verify');
        expect(bad.code).toBe(1);
        // wallet, user, balance, ledger sum, last row; then topped up and spent, kept and summed.
        expect(bad.stdout).toMatch(
          new RegExp(`^\\s*\\d+\\s+${annId}\\s+2010\\s+2003\\s+2003\\s+0\\s+0\\s+0\\s+0$`, 'm'),
        );
        expect(bad.stderr).toMatch(/1 of \d+ wallet\(s\) disagree with their ledger/);
      } finally {
        await ds.query(`UPDATE wallets SET balance_cents = balance_cents - 7 WHERE user_id = $1`, [annId]);
      }
    });

    it('verify fails (exit 1) when a kept total (topped up, spent) was edited by hand', async () => {
      await ds.query(`UPDATE wallets SET topped_up_cents = topped_up_cents + 3 WHERE user_id = $1`, [annId]);
      try {
        const bad = await cli('wallet', 'verify', '--json');
        expect(bad.code).toBe(1);
        expect(JSON.parse(bad.stdout).drifted).toEqual([
          expect.objectContaining({ userId: annId, toppedUpCents: 3, ledgerToppedUpCents: 0 }),
        ]);
      } finally {
        await ds.query(`UPDATE wallets SET topped_up_cents = topped_up_cents - 3 WHERE user_id = $1`, [
          annId,
        ]);
      }
      expect((await cli('wallet', 'verify')).code).toBe(0);
    });
  });

  describe('bad input: one line on stderr, non-zero exit, nothing written', () => {
    const cases: [string, string[], RegExp][] = [
      [
        'unknown user by email',
        ['wallet', 'add', 'nobody@example.test', '100', '--reason', 'x'],
        /No user "nobody@example.test"/,
      ],
      ['unknown user by id', ['wallet', 'add', '999999', '100', '--reason', 'x'], /No user with id 999999/],
      ['a user reference that is neither', ['wallet', 'show', 'ann'], /neither a user id nor an email/],
      [
        'amount 5.00',
        ['wallet', 'add', 'ann@example.test', '5.00', '--reason', 'x'],
        /whole number of cents/,
      ],
      ['amount -1', ['wallet', 'add', 'ann@example.test', '-1', '--reason', 'x'], /unknown option '-1'/],
      ['amount 0', ['wallet', 'add', 'ann@example.test', '0', '--reason', 'x'], /greater than zero/],
      ['amount 1e3', ['wallet', 'add', 'ann@example.test', '1e3', '--reason', 'x'], /whole number of cents/],
      ['amount abc', ['wallet', 'add', 'ann@example.test', 'abc', '--reason', 'x'], /whole number of cents/],
      [
        'amount beyond the maximum',
        ['wallet', 'add', 'ann@example.test', '10000001', '--reason', 'x'],
        /above the maximum of 10000000/,
      ],
      [
        'amount with a sign',
        ['wallet', 'add', 'ann@example.test', '+5', '--reason', 'x'],
        /whole number of cents/,
      ],
      [
        'a huge amount',
        ['wallet', 'add', 'ann@example.test', '99999999999999999999999', '--reason', 'x'],
        /above the maximum/,
      ],
      ['a missing reason', ['wallet', 'add', 'ann@example.test', '100'], /--reason is required/],
      [
        'a blank reason',
        ['wallet', 'deduct', 'ann@example.test', '100', '--reason', '  ', '--yes'],
        /--reason is required/,
      ],
      [
        'a missing amount',
        ['wallet', 'add', 'ann@example.test', '--reason', 'x'],
        /missing required argument/,
      ],
      [
        'an extra argument',
        ['wallet', 'add', 'ann@example.test', '100', '200', '--reason', 'x'],
        /unexpected argument "200"/,
      ],
      ['an unknown option', ['wallet', 'show', 'ann@example.test', '--force'], /unknown option '--force'/],
      ['an unknown subcommand', ['wallet', 'steal'], /unknown command "wallet steal"/],
      ['an unknown command', ['steal'], /unknown command 'steal'/],
      [
        'set-password without --password-stdin',
        ['users', 'set-password', 'ann@example.test'],
        /--password-stdin/,
      ],
      [
        'set-password with nothing on stdin',
        ['users', 'set-password', 'ann@example.test', '--password-stdin'],
        /no password on stdin/,
      ],
      [
        'set-role to an unknown role',
        ['users', 'set-role', 'ann@example.test', 'root', '--yes'],
        /role must be user or admin/,
      ],
      ['set-role without --yes', ['users', 'set-role', 'ann@example.test', 'user'], /Add --yes/],
      [
        'a bad --limit',
        ['wallet', 'history', 'ann@example.test', '--limit', '0'],
        /--limit must be a whole number from 1 to 500/,
      ],
      [
        'a non-numeric --limit',
        ['wallet', 'history', 'ann@example.test', '--limit', 'ten'],
        /--limit must be a whole number/,
      ],
    ];

    it.each(cases)('%s', async (_, args, message) => {
      const before = await snapshot(ds);
      const r = await cli(...args);
      expect(r.code).not.toBe(0);
      expect(r.code).not.toBeNull();
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(await snapshot(ds)).toEqual(before);
    });

    it('a bad configuration value stops the CLI with a message naming the variable', async () => {
      const r = await ozvpsctl(db.url, ['users', 'list'], { WALLET_CURRENCY: 'dollars' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/WALLET_CURRENCY must be a three-letter ISO currency code/);
    });
  });

  it('--help exits 0', async () => {
    const r = await cli('wallet', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/deduct/);
  });

  // A configuration the full container refuses (WALLET_CURRENCY) proves these never build it.
  it('--version and -V answer from the build stamp without loading the configuration or the database', async () => {
    const stamp = JSON.parse(readFileSync(join(__dirname, '..', 'dist', 'build-info.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = await ozvpsctl(db.url, [flag], {
        WALLET_CURRENCY: 'dollars',
        DATABASE_URL: 'postgres://nowhere:1/x',
      });
      expect(r).toEqual({ code: 0, stdout: `${stamp.version} (${stamp.commit})\n`, stderr: '' });
    }
  });

  it('the root help (--help, -h, help) lists every command group without building the container', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = await ozvpsctl(db.url, [flag], { WALLET_CURRENCY: 'dollars' });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^Usage: ozvpsctl \[options\] \[command\]\n/);
      for (const group of ['users', 'wallet', 'plans', 'stripe', 'servers', 'db'])
        expect(r.stdout).toMatch(new RegExp(`^  ${group} +\\S`, 'm'));
    }
  });

  // Each group builds only its own part of the container (cli.module.ts GROUPS): one whose lib
  // modules miss a provider its commands need would fail here, before any of its commands ran.
  it('every command group starts with its own part of the container', async () => {
    const help = await cli('--help');
    const groups = [...help.stdout.matchAll(/^ {2}([a-z]+) {2,}\S/gm)].map((m) => m[1]!);
    expect(groups).toEqual(
      expect.arrayContaining(['users', 'wallet', 'plans', 'stripe', 'servers', 'mail', 'db']),
    );
    for (const name of groups) {
      const r = await cli(name, '--help');
      expect({ name, code: r.code, stderr: r.stderr }).toEqual({ name, code: 0, stderr: '' });
      expect(r.stdout).toMatch(new RegExp(`^Usage: ozvpsctl ${name} `));
    }
  });

  // Issue 21: a command pays only for what it uses. Stripe, SMTP and VirtFusion clients load on
  // first use; the config is still validated by class-validator, from the decorators' own files.
  it('wallet show loads neither the Stripe SDK, nodemailer, axios nor class-validator’s index', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ozvps-modules-'));
    const probe = join(dir, 'probe.js');
    const out = join(dir, 'modules.json');
    writeFileSync(
      probe,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)},
         JSON.stringify(Object.keys(require.cache))));
       require(${JSON.stringify(CLI_MAIN)});`,
    );
    const env = { PATH: process.env.PATH, DATABASE_URL: asPanelRole(db.url), OZVPS_ENV_FILE: '/dev/null' };
    const r = await runNode(probe, ['wallet', 'show', String(annId), '--json'], env, join(__dirname, '..'));
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ userId: annId, currency: 'aud' });
    const loaded = (JSON.parse(readFileSync(out, 'utf8')) as string[]).map((p) =>
      p.replace(/^.*\/node_modules\//, ''),
    );
    const heavy = loaded.filter((p) =>
      /^(stripe|nodemailer|axios|@nestjs\/axios|libphonenumber-js)\/|^class-validator\/cjs\/index\.js$/.test(
        p,
      ),
    );
    expect(heavy).toEqual([]);
    expect(loaded).toContain('class-validator/cjs/validation/Validator.js');
  });

  it('loads inquirer only when a prompt is asked for, and then the real one', async () => {
    const probe = join(mkdtempSync(join(tmpdir(), 'ozvps-inquirer-')), 'probe.js');
    const root = JSON.stringify(join(__dirname, '..'));
    writeFileSync(
      probe,
      `const commander = require.resolve('nest-commander', { paths: [${root}] });
       const { deferInquirer } = require(${JSON.stringify(join(dirname(CLI_MAIN), 'defer-inquirer.js'))});
       // The stand-in sits at inquirer's own path: the real one shows by the files it requires.
       const real = () => Object.keys(require.cache).some((k) => k.includes('/inquirer/lib/prompts/'));
       deferInquirer();
       require(commander);
       const before = real();
       const prompt = typeof require(require.resolve('inquirer', { paths: [commander] })).prompt;
       console.log(JSON.stringify({ before, prompt, after: real() }));`,
    );
    const r = await runNode(probe, [], { PATH: process.env.PATH }, join(__dirname, '..'));
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ before: false, prompt: 'function', after: true });
  });
});

describe('ozvpsctl passwords', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('creates a user with a password from stdin, stored only as an argon2id hash', async () => {
    const r = await ozvpsctl(
      db.url,
      ['users', 'create', 'pw@example.test', '--password-stdin'],
      {},
      'a long enough passphrase\n',
    );
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('a long enough passphrase');
    const [row] = await ds.query(`SELECT password_hash FROM users WHERE email = 'pw@example.test'`);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('refuses a weak password and creates nobody', async () => {
    const r = await ozvpsctl(
      db.url,
      ['users', 'create', 'weak@example.test', '--password-stdin'],
      {},
      'password123\n',
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('ozvpsctl: this password is too easy to guess: choose another one');
    expect(await ds.query(`SELECT 1 FROM users WHERE email = 'weak@example.test'`)).toEqual([]);
  });
});
