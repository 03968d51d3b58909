// npm run sandbox: the panel with the test fakes of Stripe and VirtFusion, so every flow can be
// tried with no account anywhere. Its database is its own (embedded, in .data/sandbox).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { chmodSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const swc = require('@swc/core');

// The fakes are TypeScript (they are the tests' own); compile them on load.
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
const { FakeStripe, testStripeKeys } = require('../test/fakes/stripe.ts');
const { FakeVirtFusion, aPackage } = require('../test/fakes/virtfusion.ts');
const { fakeServicesEnv } = require('../test/fakes/env.ts');
const { startFakeSmtp } = require('../test/fakes/smtp.ts');
const { startMailbox } = require('../test/fakes/mailbox.ts');

const ROOT = join(__dirname, '..');
const PORT = Number(process.env.PORT || 3000);
const STRIPE_PORT = Number(process.env.SANDBOX_STRIPE_PORT || 12111);
const VIRTFUSION_PORT = Number(process.env.SANDBOX_VIRTFUSION_PORT || 12112);
const SMTP_PORT = Number(process.env.SANDBOX_SMTP_PORT || 12125);
const MAILBOX_PORT = Number(process.env.SANDBOX_MAILBOX_PORT || 12180);
const APP_URL = `http://localhost:${PORT}`;
const SAMPLE_PRICES = { 1: 600, 2: 1200, 4: 2400 };

async function main() {
  const keys = testStripeKeys();
  const stripe = await new FakeStripe().start(STRIPE_PORT);
  stripe.deliverWebhooksTo(`http://127.0.0.1:${PORT}/api/stripe/webhook`, keys.webhookSecret);
  const virtfusion = await new FakeVirtFusion(`vf-sandbox-${randomBytes(8).toString('hex')}`).start(
    VIRTFUSION_PORT,
  );
  virtfusion.packages = [
    aPackage(1, { name: 'Starter', description: '1 vCPU for small sites and bots', traffic: 1000 }),
    aPackage(2, { name: 'Standard', description: 'Room for a busy web app', traffic: 2000 }),
    aPackage(4, { name: 'Performance', description: 'For databases and build servers', traffic: 4000 }),
  ];

  // A local SMTP catcher: the panel sends real mail to it, and the mailbox page shows what arrived.
  const smtp = await startFakeSmtp({ port: SMTP_PORT, password: randomBytes(12).toString('hex') });
  const mailbox = await startMailbox(smtp, MAILBOX_PORT);
  const mailEnv = { SMTP_URL: smtp.url, MAIL_FROM: 'OzVPS Sandbox <noreply@sandbox.localhost>' };

  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    OZVPS_ENV_FILE: '/dev/null',
    OZVPS_SANDBOX: '1',
    OZVPS_DATA_DIR: join(ROOT, '.data', 'sandbox'),
    OZVPS_EMBEDDED_PG_PORT: process.env.OZVPS_EMBEDDED_PG_PORT || '54330',
    PORT: String(PORT),
    APP_URL,
    ...fakeServicesEnv(keys, stripe, virtfusion),
    ...mailEnv,
  };
  const api = spawn(process.execPath, [join(ROOT, 'dist/apps/api/src/main.js')], { env, stdio: 'inherit' });
  const stopAll = (code) => {
    void stripe.stop();
    void virtfusion.stop();
    void mailbox.close();
    void smtp.close();
    process.exit(code ?? 0);
  };
  api.on('exit', stopAll);
  process.on('SIGINT', () => api.kill('SIGTERM'));
  process.on('SIGTERM', () => api.kill('SIGTERM'));

  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`http://127.0.0.1:${PORT}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // Sample prices for plans nobody priced yet (an admin's sandbox prices are kept).
  const ctl = (...args) =>
    spawnSync(process.execPath, [join(ROOT, 'dist/apps/cli/src/main.js'), ...args], {
      env,
      encoding: 'utf8',
    });
  const listed = ctl('plans', 'list', '--all', '--json');
  const plans = listed.status === 0 ? (JSON.parse(listed.stdout).plans ?? JSON.parse(listed.stdout)) : [];
  for (const p of Array.isArray(plans) ? plans : []) {
    const price = SAMPLE_PRICES[p.virtfusionPackageId];
    if (p.priceMonthlyCents === null && price)
      ctl('plans', 'set-price', '--package', String(p.virtfusionPackageId), String(price));
  }
  // What ozvpsctl needs to reach this sandbox (its database and the fakes). The Stripe keys are
  // test keys generated for this run, but still go to a file only its owner can read, not to the
  // terminal; the printed command reads it in a subshell, so nothing stays in the shell after.
  const ctlEnv = {
    OZVPS_ENV_FILE: '/dev/null',
    OZVPS_SANDBOX: '1',
    OZVPS_DATA_DIR: env.OZVPS_DATA_DIR,
    OZVPS_EMBEDDED_PG_PORT: env.OZVPS_EMBEDDED_PG_PORT,
    APP_URL,
    ...fakeServicesEnv(keys, stripe, virtfusion),
    ...mailEnv,
  };
  const envFile = join(env.OZVPS_DATA_DIR, 'ozvpsctl.env');
  mkdirSync(env.OZVPS_DATA_DIR, { recursive: true });
  writeFileSync(
    envFile,
    Object.entries(ctlEnv)
      .map(([k, v]) => `${k}=${shellQuote(v)}\n`)
      .join(''),
    {
      mode: 0o600,
    },
  );
  chmodSync(envFile, 0o600); // a file left by an earlier run keeps its old mode otherwise
  const withEnv = (command) => `(set -a; . .data/sandbox/ozvpsctl.env; set +a; npx ozvpsctl ${command})`;
  const admin = withEnv('users set-role <your email> admin --yes');
  process.stdout.write(
    `\nSandbox ready: ${APP_URL}\n` +
      `  Stripe (fake): ${stripe.url}  checkout pages have Pay and Cancel; Pay sends the signed webhook\n` +
      `  VirtFusion (fake): ${virtfusion.url}  ${virtfusion.packages.length} sample packages\n` +
      `  Mailbox: ${mailbox.url}  every email the panel sends (caught by a local SMTP server)\n` +
      `  Sign up in the browser; to see the admin pages: ${admin}\n` +
      `  (an admin sets up two-factor sign-in at their next request: any authenticator app, or oathtool --totp -b <key>)\n` +
      `  Any ozvpsctl command against the sandbox, e.g.: ${withEnv('stripe status')}\n` +
      `  (the settings, test keys included, are in .data/sandbox/ozvpsctl.env, mode 600)\n` +
      `  Ctrl-C stops everything; the sandbox's data stays in .data/sandbox.\n\n`,
  );
}

/** One value for a POSIX shell's `.`: single-quoted, with any single quote spelled out. */
function shellQuote(value) {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

main().catch((err) => {
  process.stderr.write(`sandbox failed to start: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
});
