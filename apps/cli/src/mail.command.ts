import { Command, Option, SubCommand } from 'nest-commander';
import { MailAdminService, toMailDetail, toMailSummary } from '@ozvps/notifications';
import { UsersService } from '@ozvps/users';
import { GroupCommand, JsonOptions, OzvpsCommand, parseBoundedInt } from './base.command';
import { UsageError } from './cli-errors';
import { auditActor, printAudit, printFields, printJson, printTable, printText } from './output';

function parseId(value: string): number {
  return parseBoundedInt(value, 'message id', 1, Number.MAX_SAFE_INTEGER);
}

const short = (d: Date | string | null) =>
  d === null ? null : (typeof d === 'string' ? d : d.toISOString()).replace('T', ' ').slice(0, 19);

interface ListOptions extends JsonOptions {
  status?: string;
  user?: string;
  kind?: string;
  limit?: string;
}

@SubCommand({ name: 'list', description: 'outbox messages, newest first (--status, --user, --kind)' })
export class MailListCommand extends OzvpsCommand<ListOptions> {
  protected readonly arity = 0;

  constructor(
    private readonly mail: MailAdminService,
    private readonly users: UsersService,
  ) {
    super();
  }

  protected async execute(_: string[], options: ListOptions): Promise<void> {
    const userId = options.user ? (await this.users.findByReference(options.user)).id : undefined;
    const rows = await this.mail.list({
      status: options.status,
      kind: options.kind,
      userId,
      limit: options.limit ? parseBoundedInt(options.limit, '--limit', 1, 500) : 50,
    });
    if (options.json) return printJson(rows.map(toMailSummary));
    printTable(
      rows.map((m) => ({
        id: m.id,
        created: short(m.createdAt),
        status: m.status,
        kind: m.kind,
        to: m.recipient,
        tries: m.attempts,
        subject: m.subject.length > 50 ? `${m.subject.slice(0, 49)}…` : m.subject,
        error: m.lastError && m.status !== 'sent' ? m.lastError.slice(0, 60) : null,
      })),
      ['id', 'created', 'status', 'kind', 'to', 'tries', 'subject', 'error'],
    );
  }

  @Option({ flags: '--status <status>', description: 'pending, sending, sent, held or dead' })
  parseStatus(value: string): string {
    return value;
  }

  @Option({ flags: '--user <user>', description: 'messages about this user (email or id)' })
  parseUser(value: string): string {
    return value;
  }

  @Option({ flags: '--kind <kind>', description: 'welcome, topup-received, admin-alert, …' })
  parseKind(value: string): string {
    return value;
  }

  @Option({ flags: '--limit <n>', description: 'at most this many (default 50)' })
  parseLimit(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'show', arguments: '<id>', description: 'one message with its text body' })
export class MailShowCommand extends OzvpsCommand {
  protected readonly arity = 1;

  constructor(private readonly mail: MailAdminService) {
    super();
  }

  protected async execute([id]: string[], options: JsonOptions): Promise<void> {
    const m = toMailDetail(await this.mail.get(parseId(id!)));
    if (options.json) return printJson(m);
    printFields([
      ['id', m.id],
      ['status', m.status],
      ['kind', m.kind],
      ['to', m.recipient],
      ['user', m.userId],
      ['subject', m.subject],
      ['attempts', m.attempts],
      ['next attempt', short(m.nextAttemptAt)],
      ['last error', m.lastError],
      ['sent', short(m.sentAt)],
      ['created', short(m.createdAt)],
      ['dedupe key', m.dedupeKey],
    ]);
    printText(`\n${m.bodyText}\n`);
  }
}

interface YesOptions extends JsonOptions {
  yes?: boolean;
}

@SubCommand({
  name: 'retry',
  arguments: '<id>',
  description: 'put a dead or held message back in the queue (attempts reset); needs --yes',
})
export class MailRetryCommand extends OzvpsCommand<YesOptions> {
  protected readonly arity = 1;

  constructor(private readonly mail: MailAdminService) {
    super();
  }

  protected async execute([raw]: string[], options: YesOptions): Promise<void> {
    const id = parseId(raw!);
    if (!options.yes) {
      const m = await this.mail.get(id);
      throw new UsageError(
        `Not retried: this sends message ${id} (${m.kind} to ${m.recipient}, ${m.status}) again. Add --yes to confirm: ozvpsctl mail retry ${id} --yes`,
      );
    }
    const m = toMailDetail(await this.mail.retry(id, auditActor()));
    printAudit(
      { action: 'mail.retry', user: m.userId === null ? '-' : String(m.userId), extra: `message=${id}` },
      !!options.json,
    );
    if (options.json) return printJson(m);
    printText(`message ${id} is pending again; the API's sender will send it within seconds\n`);
  }

  @Option({ flags: '--yes', description: 'confirm' })
  parseYes(): boolean {
    return true;
  }
}

@SubCommand({
  name: 'test',
  arguments: '<address>',
  description: 'send one test message now through SMTP_URL and print the server answer',
})
export class MailTestCommand extends OzvpsCommand {
  protected readonly arity = 1;

  constructor(private readonly mail: MailAdminService) {
    super();
  }

  protected async execute([address]: string[], options: JsonOptions): Promise<void> {
    const result = await this.mail.sendTest(address!, auditActor());
    printAudit({ action: 'mail.test', user: '-', extra: `message=${result.id}` }, !!options.json);
    if (options.json) return printJson(result);
    printFields([
      ['sent', `message ${result.id} to ${address!.trim()}`],
      ['server said', result.response],
    ]);
  }
}

@Command({
  name: 'mail',
  description: 'the email outbox: list, show, retry, send a test',
  subCommands: [MailListCommand, MailShowCommand, MailRetryCommand, MailTestCommand],
})
export class MailCommand extends GroupCommand {}
