import { currentOsUser, escapeControlCharacters } from '@ozvps/core';

/** Writes machine output: one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * Writes text for people. Data in it (a customer's name, an email body) may hold ESC sequences or
 * BEL: every control character but the line break is shown escaped (`\x1b`), never sent raw.
 */
export function printText(text: string): void {
  process.stdout.write(escapeControlCharacters(text, '\n'));
}

/** One cell or field value as people see it: on one line, controls escaped. */
function shown(value: string | number | null): string {
  return value === null ? '-' : escapeControlCharacters(String(value));
}

/** Aligned columns for people; numbers right-aligned. */
export function printTable(rows: Record<string, string | number | null>[], columns: string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const text = shown;
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c] ?? null).length)));
  const line = (cells: (string | number | null)[]) =>
    cells
      .map((v, i) => (typeof v === 'number' ? text(v).padStart(widths[i]!) : text(v).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  printText(
    [
      line(columns.map((c) => c.toUpperCase())),
      ...rows.map((r) => line(columns.map((c) => r[c] ?? null))),
    ].join('\n') + '\n',
  );
}

/** `key: value` lines, keys aligned. */
export function printFields(fields: [string, string | number | null][]): void {
  const width = Math.max(...fields.map(([k]) => k.length));
  printText(fields.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${shown(v)}`).join('\n') + '\n');
}

export interface AuditEntry {
  action: string;
  user: string;
  amountCents?: number;
  balanceCents?: number;
  currency?: string;
  extra?: string;
}

/**
 * One audit line per change: time, actor, action, user, amount, new balance. It goes to stdout,
 * or to stderr under --json so that stdout stays one parseable document.
 */
export function printAudit(entry: AuditEntry, json: boolean): void {
  const parts = [
    `audit ${new Date().toISOString()}`,
    `actor=${auditActor()}`,
    `action=${entry.action}`,
    `user=${entry.user}`,
  ];
  if (entry.amountCents !== undefined) parts.push(`amount_cents=${entry.amountCents}`);
  if (entry.balanceCents !== undefined) parts.push(`balance_cents=${entry.balanceCents}`);
  if (entry.currency) parts.push(`currency=${entry.currency}`);
  if (entry.extra) parts.push(entry.extra);
  (json ? process.stderr : process.stdout).write(escapeControlCharacters(parts.join(' ')) + '\n');
}

/**
 * The ledger's and the audit trail's actor for changes made at the shell: the operator. The
 * installed wrapper (/usr/local/bin/ozvpsctl, root only) runs node as the service user, so it
 * names the operator in OZVPS_OPERATOR (from SUDO_USER, else the login name). Trusting it adds
 * nothing to trust: whoever can set it for this process already holds the panel's database
 * credentials. Without it: SUDO_USER, else the OS user.
 */
export function auditActor(): string {
  const operator = process.env.OZVPS_OPERATOR?.trim();
  return `cli:${operator && /^[A-Za-z0-9._@-]{1,64}$/.test(operator) ? operator : currentOsUser()}`;
}
