import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AccountsModule } from '@ozvps/accounts';
import { AppConfig, AuditModule, BackupsModule, CoreConfigModule, DatabaseModule } from '@ozvps/core';
import { BillingModule } from '@ozvps/billing';
import { SCHEMA } from '@ozvps/migrations';
import { InvoicesModule } from '@ozvps/invoices';
import { NotificationsModule } from '@ozvps/notifications';
import { OperationsModule } from '@ozvps/operations';
import { PlansModule } from '@ozvps/plans';
import { ServersModule } from '@ozvps/servers';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';
import {
  ServersCommand,
  ServersListCommand,
  ServersRepriceCommand,
  ServersShowCommand,
  ServersSuspendCommand,
  ServersUnsuspendCommand,
} from './servers.command';
import {
  MailCommand,
  MailListCommand,
  MailRetryCommand,
  MailShowCommand,
  MailTestCommand,
} from './mail.command';
import {
  InvoicesBackfillCommand,
  InvoicesCommand,
  InvoicesExportCommand,
  InvoicesListCommand,
  InvoicesPdfCommand,
  InvoicesShowCommand,
} from './invoices.command';
import {
  ServersCancelCommand,
  ServersPowerCommand,
  ServersReinstallCommand,
  ServersResetPasswordCommand,
  ServersTerminateCommand,
} from './server-actions.command';
import { DbCommand, DbMigrateCommand, DbStatusCommand } from './db.command';
import { ForecastCommand, HealthCommand } from './operations.command';
import { BackupCommand, BackupListCommand, BackupNowCommand } from './backup.command';
import {
  StripeCommand,
  StripeEventsCommand,
  StripeReconcileCommand,
  StripeShowCommand,
  StripeStatusCommand,
} from './stripe.command';
import {
  PlansCommand,
  PlansListCommand,
  PlansOffSaleCommand,
  PlansSetPriceCommand,
  PlansSyncCommand,
} from './plans.command';
import {
  UsersCommand,
  UsersCreateCommand,
  UsersDisableCommand,
  UsersEnableCommand,
  UsersListCommand,
  UsersResetTwoFactorCommand,
  UsersSetPasswordCommand,
  UsersSetRoleCommand,
  UsersShowCommand,
  UsersSendResetLinkCommand,
  UsersSignOutCommand,
} from './users.command';
import { AuditCommand } from './audit.command';
import {
  WalletAddCommand,
  WalletCommand,
  WalletDeductCommand,
  WalletHistoryCommand,
  WalletShowCommand,
  WalletVerifyCommand,
} from './wallet.command';

/**
 * Each command group with the lib modules its commands use, in the order the full help lists
 * them. A command line builds only its own group's part of the container: resolving every lib's
 * providers for `wallet show` cost ~0.1-0.2 s of each start (issue 21). A group missing a module
 * fails at start, for every command of the group: test/cli.spec.ts starts each group.
 */
const GROUPS: Record<string, { modules: Type[]; commands: Provider[] }> = {
  users: {
    modules: [UsersModule, AccountsModule],
    commands: [
      UsersCommand,
      UsersListCommand,
      UsersShowCommand,
      UsersCreateCommand,
      UsersSetRoleCommand,
      UsersSetPasswordCommand,
      UsersResetTwoFactorCommand,
      UsersDisableCommand,
      UsersEnableCommand,
      UsersSignOutCommand,
      UsersSendResetLinkCommand,
    ],
  },
  wallet: {
    modules: [UsersModule, WalletModule],
    commands: [
      WalletCommand,
      WalletShowCommand,
      WalletAddCommand,
      WalletDeductCommand,
      WalletHistoryCommand,
      WalletVerifyCommand,
    ],
  },
  plans: {
    modules: [PlansModule, ServersModule],
    commands: [PlansCommand, PlansSyncCommand, PlansListCommand, PlansSetPriceCommand, PlansOffSaleCommand],
  },
  stripe: {
    modules: [UsersModule, BillingModule],
    commands: [
      StripeCommand,
      StripeStatusCommand,
      StripeShowCommand,
      StripeEventsCommand,
      StripeReconcileCommand,
    ],
  },
  servers: {
    modules: [UsersModule, ServersModule],
    commands: [
      ServersCommand,
      ServersListCommand,
      ServersRepriceCommand,
      ServersShowCommand,
      ServersSuspendCommand,
      ServersUnsuspendCommand,
      ServersPowerCommand,
      ServersReinstallCommand,
      ServersResetPasswordCommand,
      ServersCancelCommand,
      ServersTerminateCommand,
    ],
  },
  invoices: {
    modules: [UsersModule, InvoicesModule],
    commands: [
      InvoicesCommand,
      InvoicesListCommand,
      InvoicesShowCommand,
      InvoicesPdfCommand,
      InvoicesExportCommand,
      InvoicesBackfillCommand,
    ],
  },
  mail: {
    modules: [UsersModule, NotificationsModule],
    commands: [MailCommand, MailListCommand, MailShowCommand, MailRetryCommand, MailTestCommand],
  },
  db: { modules: [], commands: [DbCommand, DbMigrateCommand, DbStatusCommand] },
  forecast: { modules: [UsersModule, ServersModule], commands: [ForecastCommand] },
  health: { modules: [OperationsModule], commands: [HealthCommand] },
  backup: { modules: [BackupsModule], commands: [BackupCommand, BackupNowCommand, BackupListCommand] },
  audit: { modules: [AuditModule], commands: [AuditCommand] },
};

/** The same lib modules as the API, with commands instead of controllers; no HTTP, no schedulers. */
@Module({})
export class CliModule {
  /**
   * `group` (the command line's first word) narrows the container to that group; anything else
   * (`help`, a typo, nothing) gets every group, so commander answers as it always has.
   */
  static forRoot(config: AppConfig, group?: string): DynamicModule {
    const groups =
      group !== undefined && Object.hasOwn(GROUPS, group) ? [GROUPS[group]!] : Object.values(GROUPS);
    return {
      module: CliModule,
      imports: [
        CoreConfigModule.forRoot(config),
        DatabaseModule.forRoot(SCHEMA),
        // The webhook code emits TOPUP_CREDITED; the CLI has no handler for it on purpose: it
        // never provisions (the API's sweep starts a deploy whose top-up the CLI credited).
        EventEmitterModule.forRoot(),
        ...new Set(groups.flatMap((g) => g.modules)),
      ],
      providers: groups.flatMap((g) => g.commands),
    };
  }
}
