import { Command, Option } from 'nest-commander';
import { AuditTrail, parseAuditSince, toAuditEventView, ValidationError } from '@ozvps/core';
import { JsonOptions, OzvpsCommand, parseBoundedInt } from './base.command';
import { UsageError } from './cli-errors';
import { printJson, printTable } from './output';

interface AuditOptions extends JsonOptions {
  actor?: string;
  target?: string;
  since?: string;
  limit?: string;
}

/** `7d`, `12h`, `90m`, or a date / ISO time. */
function parseSinceOption(value: string): Date {
  const relative = /^([1-9][0-9]{0,5})([dhm])$/.exec(value.trim());
  if (relative)
    return new Date(
      Date.now() -
        Number(relative[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as 'd' | 'h' | 'm'],
    );
  try {
    return parseAuditSince(value);
  } catch (err) {
    if (err instanceof ValidationError)
      throw new UsageError(`--since must look like 7d, 12h, 90m or 2026-11-01 (got "${value.slice(0, 30)}")`);
    throw err;
  }
}

/** One line of before -> after, for people; --json has the documents. */
function change(before: unknown, after: unknown): string {
  const text = (v: unknown) => (v === null || v === undefined ? '-' : JSON.stringify(v));
  return `${text(before)} -> ${text(after)}`;
}

@Command({
  name: 'audit',
  description: 'the audit trail of admin actions (web and CLI), newest first',
})
export class AuditCommand extends OzvpsCommand<AuditOptions> {
  protected readonly arity = 0;

  constructor(private readonly audit: AuditTrail) {
    super();
  }

  protected async execute(_: string[], options: AuditOptions): Promise<void> {
    const rows = await this.audit.list({
      actor: options.actor?.trim() || undefined,
      target: options.target?.trim() || undefined,
      since: options.since === undefined ? undefined : parseSinceOption(options.since),
      limit: options.limit === undefined ? 100 : parseBoundedInt(options.limit, '--limit', 1, 1000),
    });
    const events = rows.map(toAuditEventView);
    if (options.json) return printJson(events);
    printTable(
      events.map((e) => ({
        id: e.id,
        at: e.at.replace('T', ' ').slice(0, 19),
        actor: e.actor,
        action: e.action,
        target: e.targetId === null ? e.targetType : `${e.targetType}:${e.targetId}`,
        change: change(e.before, e.after).slice(0, 120),
        reason: e.reason,
      })),
      ['id', 'at', 'actor', 'action', 'target', 'change', 'reason'],
    );
  }

  @Option({ flags: '--actor <text>', description: 'only actors containing this (alice, admin:3, cli:)' })
  parseActor(value: string): string {
    return value;
  }

  @Option({ flags: '--target <type[:id]>', description: 'only this target: user, user:12, server:5, plan:3' })
  parseTarget(value: string): string {
    return value;
  }

  @Option({ flags: '--since <when>', description: 'only since then: 7d, 12h, 90m or 2026-11-01' })
  parseSince(value: string): string {
    return value;
  }

  @Option({ flags: '--limit <n>', description: 'at most this many rows (default 100)' })
  parseLimit(value: string): string {
    return value;
  }
}
