import { Command, Option, SubCommand } from 'nest-commander';
import { StripeAdminService } from '@ozvps/billing';
import { UsersService } from '@ozvps/users';
import { GroupCommand, JsonOptions, OzvpsCommand, parseBoundedInt } from './base.command';
import { CheckFailedError, UsageError } from './cli-errors';
import { auditActor, printAudit, printFields, printJson, printTable, printText } from './output';

const MAX_DAYS = 30;

/** "3d", "12h", "90m" or an ISO date, at most 30 days back (Stripe keeps events for 30 days). */
export function parseSince(value: string): Date {
  const relative = value.match(/^([1-9][0-9]*)([dhm])$/);
  const ms = relative
    ? Number(relative[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as 'd' | 'h' | 'm']
    : undefined;
  const date =
    ms !== undefined
      ? new Date(Date.now() - ms)
      : /^\d{4}-\d{2}-\d{2}/.test(value)
        ? new Date(value)
        : new Date(NaN);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--since must look like 3d, 12h, 90m or 2026-11-01 (got "${value.slice(0, 30)}")`);
  if (Date.now() - date.getTime() > MAX_DAYS * 86_400_000)
    throw new UsageError(`--since reaches back at most ${MAX_DAYS} days (Stripe keeps events that long)`);
  return date;
}

@SubCommand({
  name: 'status',
  description:
    'keys (masked), mode, webhook URL, recent events; exit 1 when misconfigured or webhook signatures are failing',
})
export class StripeStatusCommand extends OzvpsCommand {
  protected readonly arity = 0;

  constructor(private readonly stripeAdmin: StripeAdminService) {
    super();
  }

  protected async execute(_: string[], options: JsonOptions): Promise<void> {
    const s = await this.stripeAdmin.status();
    if (options.json) printJson(s);
    else {
      printFields([
        ['configured', s.configured ? 'yes' : 'no'],
        ['mode', s.mode],
        ['secret key', s.secretKey],
        ['publishable key', s.publishableKey],
        ['webhook secrets', s.webhookSecrets.join(', ') || null],
        ['webhook URL', s.webhookUrl],
        ['API', s.apiBase ?? 'api.stripe.com'],
        [
          'last event',
          s.lastEvent ? `${s.lastEvent.receivedAt} ${s.lastEvent.type} ${s.lastEvent.outcome}` : null,
        ],
        [
          'last 24 h',
          Object.entries(s.last24h)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || null,
        ],
        [
          'refused 24 h',
          Object.entries(s.refusedDeliveries24h)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || null,
        ],
        ['installation', s.installationId],
      ]);
      for (const p of s.problems) printText(`problem: ${p}\n`);
    }
    if (!s.configured) throw new CheckFailedError('Stripe is not configured');
    // Failing now (no verified event since the newest failure), not merely within 24 h: after the
    // secret is fixed, the next good delivery makes the check pass while the warning stays visible.
    if (s.signaturesFailingNow) throw new CheckFailedError(s.signatureWarning!);
  }
}

@SubCommand({ name: 'show', arguments: '<user>', description: "a user's Stripe customer" })
export class StripeShowCommand extends OzvpsCommand {
  protected readonly arity = 1;

  constructor(private readonly users: UsersService) {
    super();
  }

  protected async execute([reference]: string[], options: JsonOptions): Promise<void> {
    const user = await this.users.findByReference(reference!);
    if (options.json) return printJson({ userId: user.id, stripeCustomerId: user.stripeCustomerId });
    printFields([
      ['user', `${user.id} ${user.email}`],
      ['stripe customer', user.stripeCustomerId ?? '(none yet: created at the first top-up)'],
    ]);
  }
}

interface EventsOptions extends JsonOptions {
  outcome?: string;
  since?: string;
  limit?: string;
}

@SubCommand({ name: 'events', description: 'Stripe events the panel received, newest first' })
export class StripeEventsCommand extends OzvpsCommand<EventsOptions> {
  protected readonly arity = 0;

  constructor(private readonly stripeAdmin: StripeAdminService) {
    super();
  }

  protected async execute(_: string[], options: EventsOptions): Promise<void> {
    const rows = await this.stripeAdmin.events({
      outcome: options.outcome,
      since: options.since ? parseSince(options.since) : undefined,
      limit: options.limit ? parseBoundedInt(options.limit, '--limit', 1, 1000) : 50,
    });
    if (options.json) {
      return printJson(
        rows.map((e) => ({
          eventId: e.eventId,
          type: e.type,
          outcome: e.outcome,
          livemode: e.livemode,
          userId: e.userId,
          stripeCustomerId: e.stripeCustomerId,
          stripeCheckoutSessionId: e.stripeCheckoutSessionId,
          amountCents: e.amountCents,
          currency: e.currency,
          reason: e.reason,
          receivedAt: e.receivedAt.toISOString(),
        })),
      );
    }
    printTable(
      rows.map((e) => ({
        received: e.receivedAt.toISOString().replace('T', ' ').slice(0, 19),
        event: e.eventId,
        type: e.type,
        outcome: e.outcome,
        user: e.userId ?? 'NOT FOUND',
        amount: e.amountCents,
        reason: e.reason,
      })),
      ['received', 'event', 'type', 'outcome', 'user', 'amount', 'reason'],
    );
  }

  @Option({
    flags: '--outcome <outcome>',
    description: 'only this outcome (credited, duplicate, unmatched, mismatch, failed, …)',
  })
  parseOutcome(value: string): string {
    return value;
  }

  @Option({ flags: '--since <when>', description: '3d, 12h, 90m or a date' })
  parseSinceOption(value: string): string {
    return value;
  }

  @Option({ flags: '--limit <n>', description: 'at most this many (default 50)' })
  parseLimit(value: string): string {
    return value;
  }
}

interface ReconcileOptions extends JsonOptions {
  since?: string;
  yes?: boolean;
}

@SubCommand({
  name: 'reconcile',
  description: "replay Stripe's checkout events through the webhook handler (idempotent); --yes to apply",
})
export class StripeReconcileCommand extends OzvpsCommand<ReconcileOptions> {
  protected readonly arity = 0;

  constructor(private readonly stripeAdmin: StripeAdminService) {
    super();
  }

  protected async execute(_: string[], options: ReconcileOptions): Promise<void> {
    const since = parseSince(options.since ?? '3d');
    const items = await this.stripeAdmin.reconcile(since, options.yes === true, auditActor());
    const credited = items.filter((i) => i.outcome === 'credited');
    if (options.yes) {
      printAudit(
        {
          action: 'stripe.reconcile',
          user: '-',
          extra: `events=${items.length} credited=${credited.length} since=${since.toISOString()}`,
        },
        !!options.json,
      );
    }
    if (options.json)
      return printJson({ applied: options.yes === true, since: since.toISOString(), events: items });
    printTable(
      items.map((i) => ({
        created: i.created.replace('T', ' ').slice(0, 19),
        event: i.eventId,
        type: i.type,
        seen: i.alreadyRecorded ? 'yes' : 'NO',
        outcome: i.outcome,
      })),
      ['created', 'event', 'type', 'seen', 'outcome'],
    );
    const unseen = items.filter((i) => !i.alreadyRecorded).length;
    printText(
      options.yes
        ? `${items.length} event(s) replayed; credited ${credited.length}\n`
        : `${unseen} of ${items.length} event(s) never handled here. Nothing applied: add --yes to replay them (safe to repeat).\n`,
    );
  }

  @Option({ flags: '--since <when>', description: 'how far back (default 3d, at most 30d)' })
  parseSinceOption(value: string): string {
    return value;
  }

  @Option({ flags: '--yes', description: 'apply: feed the events through the webhook handler' })
  parseYes(): boolean {
    return true;
  }
}

@Command({
  name: 'stripe',
  description: 'Stripe: status, customers, received events, reconciliation',
  subCommands: [StripeStatusCommand, StripeShowCommand, StripeEventsCommand, StripeReconcileCommand],
})
export class StripeCommand extends GroupCommand {}
