/**
 * Every command group of ozvpsctl with its one-line description, as its `@Command` says it, in the
 * order the full help lists them. `--help` and `--version` answer from this list and build-info.json
 * without loading Nest, TypeORM or any lib (a second instead of a tenth of one). A new group is one
 * entry here; command-catalog.spec.ts fails while a group exists that this list does not name as
 * its decorator does.
 */
export const COMMAND_GROUPS: readonly { name: string; description: string }[] = [
  { name: 'users', description: 'list, show and create users; roles, passwords, 2FA' },
  { name: 'wallet', description: 'balances, credits, deductions and the ledger' },
  { name: 'plans', description: 'plans from VirtFusion: sync, list, prices, off sale' },
  { name: 'stripe', description: 'Stripe: status, customers, received events, reconciliation' },
  {
    name: 'servers',
    description: 'servers: list, show, power, reinstall, cancel, suspend',
  },
  {
    name: 'invoices',
    description: 'invoices, adjustment notes, receipts: list, show, pdf, export',
  },
  { name: 'mail', description: 'the email outbox: list, show, retry, send a test' },
  { name: 'db', description: 'database schema' },
  {
    name: 'forecast',
    description: 'what happens next: renewals, shortfalls, suspensions',
  },
  {
    name: 'health',
    description: 'is all well: jobs, webhooks, services, ledger, backups',
  },
  { name: 'backup', description: 'database dumps: take one now, list them' },
  { name: 'audit', description: 'the audit trail of admin actions (web and CLI), newest first' },
];

/** The root help, laid out as commander lays it out for the same program. */
export function rootHelp(groups = COMMAND_GROUPS): string {
  const options = [
    ['-V, --version', 'output the version number'],
    ['-h, --help', 'display help for command'],
  ];
  const commands = [
    ...groups.map((g) => [g.name, g.description]),
    ['help [command]', 'display help for command'],
  ];
  const width = Math.max(...[...options, ...commands].map(([term]) => term!.length));
  const rows = (list: string[][]) =>
    list.map(([term, text]) => `  ${term!.padEnd(width)}  ${text}\n`).join('');
  return (
    'Usage: ozvpsctl [options] [command]\n\n' +
    `Options:\n${rows(options)}\n` +
    `Commands:\n${rows(commands)}`
  );
}
