import { Inject } from '@nestjs/common';
import { Command, Option, SubCommand } from 'nest-commander';
import { APP_CONFIG, AppConfig, formatCents, parseCents } from '@ozvps/core';
import { UsersService } from '@ozvps/users';
import { toTransactionView, WalletService, WalletTransaction } from '@ozvps/wallet';
import { GroupCommand, JsonOptions, OzvpsCommand, parseBoundedInt } from './base.command';
import { CheckFailedError, UsageError } from './cli-errors';
import { auditActor, printAudit, printFields, printJson, printTable, printText } from './output';

/** The `--json` shape of a ledger row: a contract for scripts. */
export function transactionJson(t: WalletTransaction) {
  const { createdAt, ...view } = toTransactionView(t);
  return { ...view, actor: t.actor, stripeEventId: t.stripeEventId, createdAt };
}

@SubCommand({ name: 'show', arguments: '<user>', description: "show a user's balance (user = email or id)" })
export class WalletShowCommand extends OzvpsCommand {
  protected readonly arity = 1;

  constructor(
    private readonly users: UsersService,
    private readonly wallet: WalletService,
  ) {
    super();
  }

  protected async execute([reference]: string[], options: JsonOptions): Promise<void> {
    const user = await this.users.findByReference(reference!);
    const { balanceCents, currency } = await this.wallet.balance(user.id);
    if (options.json) return printJson({ userId: user.id, email: user.email, balanceCents, currency });
    printFields([
      ['user', `${user.id} ${user.email}`],
      ['balance', `${formatCents(balanceCents, currency)} (${balanceCents} cents)`],
      ['currency', currency.toUpperCase()],
    ]);
  }
}

interface AdjustOptions extends JsonOptions {
  reason?: string;
  yes?: boolean;
}

abstract class AdjustCommand extends OzvpsCommand<AdjustOptions> {
  protected readonly arity = 2;

  constructor(
    protected readonly users: UsersService,
    protected readonly wallet: WalletService,
    @Inject(APP_CONFIG) protected readonly config: AppConfig,
  ) {
    super();
  }

  /** Validates everything before anything is written; returns the user and amount. */
  protected async prepare([reference, amount]: string[], options: AdjustOptions) {
    const amountCents = parseCents(amount ?? '', this.config.walletMaxAdjustCents, 'amount_cents');
    const reason = options.reason?.trim();
    if (!reason)
      throw new UsageError(
        '--reason is required: say why the balance changes, e.g. --reason "refund for ticket 123"',
      );
    const user = await this.users.findByReference(reference!);
    return { user, amountCents, reason };
  }

  protected report(
    action: string,
    userLabel: string,
    t: WalletTransaction,
    currency: string,
    options: AdjustOptions,
  ): void {
    printAudit(
      { action, user: userLabel, amountCents: t.amountCents, balanceCents: t.balanceAfterCents, currency },
      !!options.json,
    );
    if (options.json) printJson({ ...transactionJson(t), currency });
    else
      printFields([
        ['transaction', t.id],
        ['amount', `${formatCents(t.amountCents, currency)} (${t.amountCents} cents)`],
        ['new balance', `${formatCents(t.balanceAfterCents, currency)} (${t.balanceAfterCents} cents)`],
      ]);
  }

  @Option({ flags: '--reason <text>', description: 'why the balance changes (required, kept in the ledger)' })
  parseReason(value: string): string {
    return value;
  }
}

@SubCommand({
  name: 'add',
  arguments: '<user> <amount_cents>',
  description: 'credit a wallet (amount in cents)',
})
export class WalletAddCommand extends AdjustCommand {
  protected async execute(params: string[], options: AdjustOptions): Promise<void> {
    const { user, amountCents, reason } = await this.prepare(params, options);
    const { transaction: t } = await this.wallet.adjustByAdmin({
      userId: user.id,
      direction: 'credit',
      amountCents,
      actor: auditActor(),
      reason,
    });
    this.report('wallet.add', `${user.id}:${user.email}`, t, this.config.walletCurrency, options);
  }
}

@SubCommand({
  name: 'deduct',
  arguments: '<user> <amount_cents>',
  description: 'debit a wallet (amount in cents); never below zero; needs --yes',
})
export class WalletDeductCommand extends AdjustCommand {
  protected async execute(params: string[], options: AdjustOptions): Promise<void> {
    const { user, amountCents, reason } = await this.prepare(params, options);
    if (!options.yes) {
      throw new UsageError(
        `Not deducted: this takes ${amountCents} cents from ${user.email}. Add --yes to confirm: ` +
          `ozvpsctl wallet deduct ${user.id} ${amountCents} --reason ${JSON.stringify(reason)} --yes`,
      );
    }
    const { transaction: t } = await this.wallet.adjustByAdmin({
      userId: user.id,
      direction: 'debit',
      amountCents,
      actor: auditActor(),
      reason,
    });
    this.report('wallet.deduct', `${user.id}:${user.email}`, t, this.config.walletCurrency, options);
  }

  @Option({ flags: '--yes', description: 'confirm the deduction' })
  parseYes(): boolean {
    return true;
  }
}

interface HistoryOptions extends JsonOptions {
  limit?: string;
  before?: string;
}

@SubCommand({ name: 'history', arguments: '<user>', description: "a wallet's ledger, newest first" })
export class WalletHistoryCommand extends OzvpsCommand<HistoryOptions> {
  protected readonly arity = 1;

  constructor(
    private readonly users: UsersService,
    private readonly wallet: WalletService,
  ) {
    super();
  }

  protected async execute([reference]: string[], options: HistoryOptions): Promise<void> {
    const limit = options.limit === undefined ? 20 : parseBoundedInt(options.limit, '--limit', 1, 500);
    const beforeId =
      options.before === undefined
        ? undefined
        : parseBoundedInt(options.before, '--before', 1, Number.MAX_SAFE_INTEGER);
    const user = await this.users.findByReference(reference!);
    const rows = await this.wallet.history(user.id, { limit, beforeId });
    if (options.json) return printJson(rows.map(transactionJson));
    printTable(
      rows.map((t) => ({
        id: t.id,
        time: t.createdAt.toISOString().replace('T', ' ').slice(0, 19),
        type: t.type,
        amount: t.amountCents,
        balance: t.balanceAfterCents,
        actor: t.actor,
        reason: t.reason,
      })),
      ['id', 'time', 'type', 'amount', 'balance', 'actor', 'reason'],
    );
  }

  @Option({ flags: '--limit <n>', description: 'rows to show (default 20, at most 500)' })
  parseLimit(value: string): string {
    return value;
  }

  @Option({ flags: '--before <id>', description: 'continue with rows older than this transaction id' })
  parseBefore(value: string): string {
    return value;
  }
}

@SubCommand({
  name: 'verify',
  description: 'check that every balance and total equals the sum of its ledger rows',
})
export class WalletVerifyCommand extends OzvpsCommand {
  protected readonly arity = 0;

  constructor(private readonly wallet: WalletService) {
    super();
  }

  protected async execute(_: string[], options: JsonOptions): Promise<void> {
    const report = await this.wallet.verify();
    if (options.json) printJson(report);
    else if (report.ok)
      printText(`ok: ${report.walletsChecked} wallet(s), every balance and total equals its ledger\n`);
    else
      printTable(
        report.drifted.map((d) => ({
          wallet: d.walletId,
          user: d.userId,
          balance: d.balanceCents,
          ledger_sum: d.ledgerSumCents,
          last_row: d.lastBalanceAfterCents,
          topped_up: d.toppedUpCents,
          ledger_topped_up: d.ledgerToppedUpCents,
          spent: d.spentCents,
          ledger_spent: d.ledgerSpentCents,
        })),
        [
          'wallet',
          'user',
          'balance',
          'ledger_sum',
          'last_row',
          'topped_up',
          'ledger_topped_up',
          'spent',
          'ledger_spent',
        ],
      );
    if (!report.ok) {
      throw new CheckFailedError(
        `${report.drifted.length} of ${report.walletsChecked} wallet(s) disagree with their ledger`,
      );
    }
  }
}

@Command({
  name: 'wallet',
  description: 'balances, credits, deductions and the ledger',
  subCommands: [
    WalletShowCommand,
    WalletAddCommand,
    WalletDeductCommand,
    WalletHistoryCommand,
    WalletVerifyCommand,
  ],
})
export class WalletCommand extends GroupCommand {}
