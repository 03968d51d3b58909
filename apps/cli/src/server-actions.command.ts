import { Option, SubCommand } from 'nest-commander';
import {
  POWER_ACTIONS,
  ServerAction,
  ServerActionsService,
  ServerCancellationService,
  toActionView,
  toAdminServerView,
} from '@ozvps/servers';
import { JsonOptions, OzvpsCommand } from './base.command';
import { UsageError } from './cli-errors';
import { auditActor, printAudit, printJson, printText } from './output';

/** A server id argument: a positive whole number, else a usage error (exit 2). */
export function parseServerId(value: string | undefined): number {
  if (!value || !/^[1-9][0-9]{0,15}$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new UsageError(`server id must be a positive whole number (got "${(value ?? '').slice(0, 24)}")`);
  return Number(value);
}

interface ConfirmOptions extends JsonOptions {
  yes?: boolean;
}

function printStarted(a: ServerAction, serverId: number, json: boolean): void {
  if (json) return printJson({ action: toActionView(a) });
  printText(
    `${a.kind.replace('_', ' ')} of server ${serverId} started (action ${a.id}); ` +
      `VirtFusion finishes it shortly: ozvpsctl servers show ${serverId}\n`,
  );
}

@SubCommand({
  name: 'power',
  arguments: '<id> <action>',
  description: `power a server: ${POWER_ACTIONS.join('|')} (poweroff is forced)`,
})
export class ServersPowerCommand extends OzvpsCommand {
  protected readonly arity = 2;

  constructor(private readonly actions: ServerActionsService) {
    super();
  }

  protected async execute([id, action]: string[], options: JsonOptions): Promise<void> {
    const serverId = parseServerId(id);
    if (!action || !(POWER_ACTIONS as readonly string[]).includes(action))
      throw new UsageError(
        `action must be one of ${POWER_ACTIONS.join(', ')} (got "${(action ?? '').slice(0, 24)}")`,
      );
    const started = await this.actions.power(serverId, action, { actor: auditActor() });
    const server = await this.actions.find(serverId, {});
    printAudit(
      {
        action: `servers.power.${action}`,
        user: String(server.userId),
        extra: `server=${serverId} action_id=${started.id}`,
      },
      !!options.json,
    );
    printStarted(started, serverId, !!options.json);
  }
}

interface ReinstallOptions extends ConfirmOptions {
  template?: string;
  sshKey?: string[];
}

@SubCommand({
  name: 'reinstall',
  arguments: '<id>',
  description: 'rebuild a server with an OS template (ERASES its disk); needs --template and --yes',
})
export class ServersReinstallCommand extends OzvpsCommand<ReinstallOptions> {
  protected readonly arity = 1;

  constructor(private readonly actions: ServerActionsService) {
    super();
  }

  protected async execute([id]: string[], options: ReinstallOptions): Promise<void> {
    const serverId = parseServerId(id);
    if (!options.template || !/^[1-9][0-9]{0,9}$/.test(options.template))
      throw new UsageError(
        '--template <id> is required: a positive whole number (GET /api/admin/servers/<id>/templates)',
      );
    const keys = (options.sshKey ?? []).map((k) => {
      if (!/^[1-9][0-9]{0,15}$/.test(k))
        throw new UsageError(`--ssh-key must be an SSH key id (got "${k.slice(0, 24)}")`);
      return Number(k);
    });
    const server = await this.actions.find(serverId, {});
    if (!options.yes)
      throw new UsageError(
        `Not reinstalled: this erases the disk of server ${server.id} (${server.hostname}). Add --yes to confirm: ` +
          `ozvpsctl servers reinstall ${server.id} --template ${options.template} --yes`,
      );
    const started = await this.actions.reinstall(
      serverId,
      { templateId: Number(options.template), sshKeyIds: keys, confirmHostname: server.hostname },
      { actor: auditActor() },
    );
    printAudit(
      {
        action: 'servers.reinstall',
        user: String(server.userId),
        extra: `server=${serverId} template=${options.template} ssh_keys=${keys.join(',') || '-'} action_id=${started.id}`,
      },
      !!options.json,
    );
    printStarted(started, serverId, !!options.json);
  }

  @Option({ flags: '--template <id>', description: 'the OS template to install' })
  parseTemplate(value: string): string {
    return value;
  }

  @Option({ flags: '--ssh-key <id>', description: "one of the owner's SSH keys to install (repeatable)" })
  parseSshKey(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }

  @Option({ flags: '--yes', description: 'confirm: the disk is erased' })
  parseYes(): boolean {
    return true;
  }
}

@SubCommand({
  name: 'reset-password',
  arguments: '<id>',
  description: "reset a server's root password in VirtFusion and print it once; needs --yes",
})
export class ServersResetPasswordCommand extends OzvpsCommand<ConfirmOptions> {
  protected readonly arity = 1;

  constructor(private readonly actions: ServerActionsService) {
    super();
  }

  protected async execute([id]: string[], options: ConfirmOptions): Promise<void> {
    const server = await this.actions.find(parseServerId(id), {});
    if (!options.yes)
      throw new UsageError(
        `Not reset: this sets a new root password on server ${server.id} (${server.hostname}). Add --yes to confirm: ` +
          `ozvpsctl servers reset-password ${server.id} --yes`,
      );
    const { password, action } = await this.actions.resetPassword(server.id, { actor: auditActor() });
    // The audit line never holds the password; the password goes to stdout once, nowhere else.
    printAudit(
      {
        action: 'servers.reset-password',
        user: String(server.userId),
        extra: `server=${server.id} action_id=${action.id}`,
      },
      !!options.json,
    );
    if (options.json) return printJson({ password, action: toActionView(action) });
    printText(`new root password of server ${server.id} (${server.hostname}), shown once:\n${password}\n`);
  }

  @Option({ flags: '--yes', description: 'confirm' })
  parseYes(): boolean {
    return true;
  }
}

interface CancelOptions extends JsonOptions {
  undo?: boolean;
}

@SubCommand({
  name: 'cancel',
  arguments: '<id>',
  description: 'cancel a server at the end of its paid period (no refund); --undo keeps it',
})
export class ServersCancelCommand extends OzvpsCommand<CancelOptions> {
  protected readonly arity = 1;

  constructor(private readonly cancellation: ServerCancellationService) {
    super();
  }

  protected async execute([id]: string[], options: CancelOptions): Promise<void> {
    const serverId = parseServerId(id);
    const after = options.undo
      ? await this.cancellation.keep(serverId, auditActor())
      : await this.cancellation.cancelAtPeriodEnd(serverId, auditActor());
    printAudit(
      {
        action: options.undo ? 'servers.keep' : 'servers.cancel',
        user: String(after.userId),
        extra: `server=${after.id} cancel_at_period_end=${after.cancelAtPeriodEnd}`,
      },
      !!options.json,
    );
    if (options.json) return printJson({ server: toAdminServerView(after) });
    const until = after.paidUntil?.toISOString().slice(0, 10) ?? 'the end of its paid period';
    printText(
      after.cancelAtPeriodEnd
        ? `server ${after.id} (${after.hostname}) ends on ${until}: it will not be renewed\n`
        : `server ${after.id} (${after.hostname}) renews on ${until} as usual\n`,
    );
  }

  @Option({ flags: '--undo', description: 'keep the server: renewals go on' })
  parseUndo(): boolean {
    return true;
  }
}

@SubCommand({
  name: 'terminate',
  arguments: '<id>',
  description: 'delete a server in VirtFusion now (no refund); needs --yes',
})
export class ServersTerminateCommand extends OzvpsCommand<ConfirmOptions> {
  protected readonly arity = 1;

  constructor(private readonly actions: ServerActionsService) {
    super();
  }

  protected async execute([id]: string[], options: ConfirmOptions): Promise<void> {
    const server = await this.actions.find(parseServerId(id), {});
    if (!options.yes)
      throw new UsageError(
        `Not terminated: this deletes server ${server.id} (${server.hostname}) in VirtFusion, with no refund. ` +
          `Add --yes to confirm: ozvpsctl servers terminate ${server.id} --yes`,
      );
    const after = await this.actions.terminate(server.id, server.hostname, auditActor());
    printAudit(
      {
        action: 'servers.terminate',
        user: String(after.userId),
        extra: `server=${after.id} status=${after.status}`,
      },
      !!options.json,
    );
    if (options.json) return printJson({ server: toAdminServerView(after) });
    printText(`server ${after.id} (${after.hostname}) is ${after.status}\n`);
  }

  @Option({ flags: '--yes', description: 'confirm' })
  parseYes(): boolean {
    return true;
  }
}
