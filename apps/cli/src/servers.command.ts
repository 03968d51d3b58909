import { Injectable } from '@nestjs/common';
import { Command, Option, SubCommand } from 'nest-commander';
import { formatCents } from '@ozvps/core';
import { Server, ServersService, toAdminServerView, toServerEventView } from '@ozvps/servers';
import { UsersService } from '@ozvps/users';
import { GroupCommand, JsonOptions, OzvpsCommand } from './base.command';
import { UsageError } from './cli-errors';
import { auditActor, printAudit, printFields, printJson, printTable } from './output';

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
    private readonly servers: ServersService,
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
        'paid until': s.paidUntil?.toISOString().slice(0, 16).replace('T', ' ') ?? null,
        vf: s.virtfusionServerId,
        note: noteOf(s),
      })),
      ['id', 'user', 'hostname', 'status', 'ip', 'price', 'paid until', 'vf', 'note'],
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

  constructor(private readonly servers: ServersService) {
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
      ['price', formatCents(v.priceMonthlyCents, v.currency)],
      ['paid until', v.paidUntil],
      ['periods paid', v.periodsPaid],
      ['overdue since', v.overdueSince],
      ['suspended', v.suspendedAt ? `${v.suspendedAt} (${v.suspendReason})` : null],
      [
        'virtfusion',
        v.virtfusionServerId === null ? null : `server ${v.virtfusionServerId}, user ${v.virtfusionUserId}`,
      ],
      ['failure', v.failureReason],
    ]);
    process.stdout.write('events:\n');
    for (const e of events)
      process.stdout.write(`  ${e.at}  ${e.type.padEnd(16)} ${e.actor}${e.detail ? `  ${e.detail}` : ''}\n`);
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

  constructor(private readonly servers: ServersService) {
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
        ? await this.servers.suspendByAdmin(before.id, auditActor())
        : await this.servers.unsuspendByAdmin(before.id, auditActor());
    printAudit(
      {
        action: `servers.${this.action}`,
        user: String(after.userId),
        extra: `server=${after.id} status=${after.status}`,
      },
      !!options.json,
    );
    if (options.json) return printJson({ server: toAdminServerView(after) });
    process.stdout.write(`server ${after.id} (${after.hostname}) is ${after.status}\n`);
    if (this.action === 'unsuspend' && after.overdueSince)
      process.stdout.write(
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

@Command({
  name: 'servers',
  description: 'customer servers: list, show, suspend, unsuspend',
  subCommands: [ServersListCommand, ServersShowCommand, ServersSuspendCommand, ServersUnsuspendCommand],
})
export class ServersCommand extends GroupCommand {}
