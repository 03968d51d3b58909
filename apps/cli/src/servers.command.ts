import { Injectable } from '@nestjs/common';
import { Command, Option, SubCommand } from 'nest-commander';
import { formatCents } from '@ozvps/core';
import {
  RepriceResult,
  RepriceService,
  Server,
  ServerAdminService,
  ServerQueriesService,
  toAdminServerView,
  toRepriceView,
  toServerEventView,
} from '@ozvps/servers';
import { UsersService } from '@ozvps/users';
import { GroupCommand, JsonOptions, OzvpsCommand, parseBoundedInt } from './base.command';
import { UsageError } from './cli-errors';
import { auditActor, printAudit, printFields, printJson, printTable, printText } from './output';
import {
  ServersCancelCommand,
  ServersPowerCommand,
  ServersReinstallCommand,
  ServersResetPasswordCommand,
  ServersTerminateCommand,
} from './server-actions.command';

function parseServerId(value: string | undefined): number {
  if (!value || !/^[1-9][0-9]{0,15}$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new UsageError(`server id must be a positive whole number (got "${(value ?? '').slice(0, 24)}")`);
  return Number(value);
}

interface ListOptions extends JsonOptions {
  user?: string;
}

@SubCommand({ name: 'list', description: "servers, newest first (--user <id|email>: one customer's)" })
export class ServersListCommand extends OzvpsCommand<ListOptions> {
  protected readonly arity = 0;

  constructor(
    private readonly servers: ServerQueriesService,
    private readonly users: UsersService,
  ) {
    super();
  }

  protected async execute(_: string[], options: ListOptions): Promise<void> {
    const userId =
      options.user === undefined ? undefined : (await this.users.findByReference(options.user)).id;
    const servers = await this.servers.listAll({ userId });
    if (options.json) return printJson(servers.map(toAdminServerView));
    printTable(
      servers.map((s) => ({
        id: s.id,
        user: s.userId,
        hostname: s.hostname,
        status: s.status,
        ip: s.ipAddress,
        price: formatCents(s.priceMonthlyCents, s.currency),
        next: s.nextPriceCents === null ? null : formatCents(s.nextPriceCents, s.currency),
        'paid until': s.paidUntil?.toISOString().slice(0, 16).replace('T', ' ') ?? null,
        vf: s.virtfusionServerId,
        note: noteOf(s),
      })),
      ['id', 'user', 'hostname', 'status', 'ip', 'price', 'next', 'paid until', 'vf', 'note'],
    );
  }

  @Option({ flags: '--user <user>', description: "only this user's servers (id or email)" })
  parseUser(value: string): string {
    return value;
  }
}

function noteOf(s: Server): string | null {
  if (s.status === 'suspended') return `suspended (${s.suspendReason})`;
  if (s.overdueSince) return `renewal unpaid since ${s.overdueSince.toISOString().slice(0, 10)}`;
  return s.failureReason;
}

@SubCommand({ name: 'show', arguments: '<id>', description: 'one server with its history' })
export class ServersShowCommand extends OzvpsCommand {
  protected readonly arity = 1;

  constructor(private readonly servers: ServerQueriesService) {
    super();
  }

  protected async execute([id]: string[], options: JsonOptions): Promise<void> {
    const server = await this.servers.get(parseServerId(id));
    const events = (await this.servers.events(server.id)).map(toServerEventView);
    if (options.json) return printJson({ server: toAdminServerView(server), events });
    const v = toAdminServerView(server);
    printFields([
      ['id', v.id],
      ['user', v.userId],
      ['hostname', v.hostname],
      ['status', v.status],
      ['step', v.step],
      ['ip', v.ipAddress],
      ['plan', v.planId],
      ['price', `${formatCents(v.priceMonthlyCents, v.currency)} a month`],
      [
        'next price',
        v.scheduledPrice
          ? `${formatCents(v.scheduledPrice.amountCents, v.currency)} a month from the renewal on ${v.scheduledPrice.fromDate.slice(0, 10)}`
          : null,
      ],
      ['paid until', v.paidUntil],
      ['cancelled', v.cancelAtPeriodEnd ? 'at the end of the paid period (not renewed)' : null],
      ['periods paid', v.periodsPaid],
      ['overdue since', v.overdueSince],
      ['suspended', v.suspendedAt ? `${v.suspendedAt} (${v.suspendReason})` : null],
      [
        'virtfusion',
        v.virtfusionServerId === null ? null : `server ${v.virtfusionServerId}, user ${v.virtfusionUserId}`,
      ],
      ['failure', v.failureReason],
    ]);
    printText('events:\n');
    for (const e of events)
      printText(`  ${e.at}  ${e.type.padEnd(16)} ${e.actor}${e.detail ? `  ${e.detail}` : ''}\n`);
  }
}

interface ConfirmOptions extends JsonOptions {
  yes?: boolean;
}

/** Decorated so that Nest reads the constructor's parameter types for the subclasses. */
@Injectable()
abstract class SuspensionCommand extends OzvpsCommand<ConfirmOptions> {
  protected readonly arity = 1;
  protected abstract readonly action: 'suspend' | 'unsuspend';

  constructor(
    private readonly servers: ServerQueriesService,
    private readonly admin: ServerAdminService,
  ) {
    super();
  }

  protected async execute([id]: string[], options: ConfirmOptions): Promise<void> {
    const before = await this.servers.get(parseServerId(id));
    if (!options.yes)
      throw new UsageError(
        `Not ${this.action}ed: this ${this.action}s server ${before.id} (${before.hostname}) in VirtFusion. Add --yes to confirm: ozvpsctl servers ${this.action} ${before.id} --yes`,
      );
    const after =
      this.action === 'suspend'
        ? await this.admin.suspendByAdmin(before.id, auditActor())
        : await this.admin.unsuspendByAdmin(before.id, auditActor());
    printAudit(
      {
        action: `servers.${this.action}`,
        user: String(after.userId),
        extra: `server=${after.id} status=${after.status}`,
      },
      !!options.json,
    );
    if (options.json) return printJson({ server: toAdminServerView(after) });
    printText(`server ${after.id} (${after.hostname}) is ${after.status}\n`);
    if (this.action === 'unsuspend' && after.overdueSince)
      printText(
        `warning: its renewal is unpaid since ${after.overdueSince.toISOString()}; the next renewal run suspends it again unless the wallet covers it\n`,
      );
  }

  @Option({ flags: '--yes', description: 'confirm' })
  parseYes(): boolean {
    return true;
  }
}

@SubCommand({
  name: 'suspend',
  arguments: '<id>',
  description: 'suspend a server in VirtFusion; needs --yes',
})
export class ServersSuspendCommand extends SuspensionCommand {
  protected readonly action = 'suspend';
}

@SubCommand({
  name: 'unsuspend',
  arguments: '<id>',
  description: 'unsuspend a server in VirtFusion; needs --yes',
})
export class ServersUnsuspendCommand extends SuspensionCommand {
  protected readonly action = 'unsuspend';
}

interface RepriceOptions extends ConfirmOptions {
  plan?: string;
  from?: string;
}

@SubCommand({
  name: 'reprice',
  description:
    "move a plan's running servers to its current price from a renewal at least REPRICE_NOTICE_DAYS ahead; needs --yes",
})
export class ServersRepriceCommand extends OzvpsCommand<RepriceOptions> {
  protected readonly arity = 0;

  constructor(private readonly reprice: RepriceService) {
    super();
  }

  protected async execute(_: string[], options: RepriceOptions): Promise<void> {
    if (!options.plan) throw new UsageError('--plan <id> is required');
    if (!options.from) throw new UsageError('--from <YYYY-MM-DD> is required');
    const planId = parseBoundedInt(options.plan, '--plan', 1, Number.MAX_SAFE_INTEGER);
    const input = { planId, fromDate: options.from, actor: auditActor() };
    const preview = await this.reprice.reprice({ ...input, apply: false });
    if (!options.yes) {
      // What would change goes to stdout (a table, or JSON); the refusal to stderr, exit 2.
      if (options.json) printJson(toRepriceView(preview));
      else printReprice(preview);
      // Nothing to confirm is not a refusal: say so, exit 0.
      if (preview.changes.length === 0)
        return void (options.json ? process.stderr : process.stdout).write('Nothing to change\n');
      throw new UsageError(
        `Not repriced: ${preview.changes.length} server(s) would change. Add --yes to confirm: ` +
          `ozvpsctl servers reprice --plan ${planId} --from ${options.from} --yes`,
      );
    }
    const done = await this.reprice.reprice({ ...input, apply: true });
    printAudit(
      {
        action: 'servers.reprice',
        user: '-',
        extra: `plan=${planId} price=${done.priceCents} servers=${done.changes.length} cancelled=${done.changes.filter((c) => c.cancelsScheduled).length} skipped=${done.skipped.length} from=${done.earliest.toISOString().slice(0, 10)}`,
      },
      !!options.json,
    );
    if (options.json) return printJson(toRepriceView(done));
    printReprice(done);
  }

  @Option({ flags: '--plan <id>', description: 'the plan whose servers move to its current price' })
  parsePlan(value: string): string {
    return value;
  }

  @Option({ flags: '--from <date>', description: 'YYYY-MM-DD: the earliest day the new price applies' })
  parseFrom(value: string): string {
    return value;
  }

  @Option({ flags: '--yes', description: 'confirm' })
  parseYes(): boolean {
    return true;
  }
}

/** "2026-12-23 16:39:05 UTC": the notice is counted to the second, so the header says so too. */
function secondUtc(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function printReprice(r: RepriceResult): void {
  printText(
    `plan ${r.plan.id} (${r.plan.name}): ${formatCents(r.priceCents, r.currency)} a month, ` +
      `from each server's first renewal at or after ${secondUtc(r.earliest)} ` +
      `(REPRICE_NOTICE_DAYS=${r.noticeDays})${r.applied ? '' : ' - not yet scheduled'}\n`,
  );
  printTable(
    r.changes.map((c) => ({
      server: c.serverId,
      user: c.userId,
      hostname: c.hostname,
      now: formatCents(c.fromCents, c.currency),
      scheduled: c.scheduled
        ? `${formatCents(c.scheduled.amountCents, c.currency)} from ${secondUtc(c.scheduled.fromDate)}`
        : '-',
      new: c.cancelsScheduled
        ? `${formatCents(c.toCents, c.currency)} (cancels the scheduled price)`
        : formatCents(c.toCents, c.currency),
      from: c.cancelsScheduled ? '-' : secondUtc(c.effectiveAt),
    })),
    ['server', 'user', 'hostname', 'now', 'scheduled', 'new', 'from'],
  );
  if (r.unchanged > 0) printText(`${r.unchanged} server(s) already at this price\n`);
  for (const k of r.skipped)
    printText(
      `server ${k.serverId} (${k.hostname}, ${k.status}) skipped: not running yet (sold at ${formatCents(k.soldAtCents, k.currency)})\n`,
    );
}

@Command({
  name: 'servers',
  description: 'servers: list, show, power, reinstall, cancel, suspend',
  subCommands: [
    ServersListCommand,
    ServersShowCommand,
    ServersSuspendCommand,
    ServersUnsuspendCommand,
    ServersRepriceCommand,
    ServersPowerCommand,
    ServersReinstallCommand,
    ServersResetPasswordCommand,
    ServersCancelCommand,
    ServersTerminateCommand,
  ],
})
export class ServersCommand extends GroupCommand {}
