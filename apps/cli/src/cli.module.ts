import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AccountsModule } from '@ozvps/accounts';
import { AppConfig, CoreConfigModule, DatabaseModule } from '@ozvps/core';
import { BillingModule } from '@ozvps/billing';
import { SCHEMA } from '@ozvps/migrations';
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
  ServersCancelCommand,
  ServersPowerCommand,
  ServersReinstallCommand,
  ServersResetPasswordCommand,
  ServersTerminateCommand,
} from './server-actions.command';
import { DbCommand, DbMigrateCommand, DbStatusCommand } from './db.command';
import {
  StripeCommand,
  StripeEventsCommand,
  StripeReconcileCommand,
  StripeShowCommand,
  StripeStatusCommand,
} from './stripe.command';
import { PlansCommand, PlansListCommand, PlansSetPriceCommand, PlansSyncCommand } from './plans.command';
import {
  UsersCommand,
  UsersCreateCommand,
  UsersListCommand,
  UsersSetPasswordCommand,
  UsersSetRoleCommand,
  UsersShowCommand,
} from './users.command';
import {
  WalletAddCommand,
  WalletCommand,
  WalletDeductCommand,
  WalletHistoryCommand,
  WalletShowCommand,
  WalletVerifyCommand,
} from './wallet.command';

/** The same lib modules as the API, with commands instead of controllers; no HTTP, no schedulers. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        CoreConfigModule.forRoot(config),
        DatabaseModule.forRoot(SCHEMA),
        // The webhook code emits TOPUP_CREDITED; the CLI has no handler for it on purpose: it
        // never provisions (the API's sweep starts a deploy whose top-up the CLI credited).
        EventEmitterModule.forRoot(),
        UsersModule,
        WalletModule,
        AccountsModule,
        PlansModule,
        BillingModule,
        ServersModule,
      ],
      providers: [
        UsersCommand,
        UsersListCommand,
        UsersShowCommand,
        UsersCreateCommand,
        UsersSetRoleCommand,
        UsersSetPasswordCommand,
        WalletCommand,
        WalletShowCommand,
        WalletAddCommand,
        WalletDeductCommand,
        WalletHistoryCommand,
        WalletVerifyCommand,
        PlansCommand,
        PlansSyncCommand,
        PlansListCommand,
        PlansSetPriceCommand,
        StripeCommand,
        StripeStatusCommand,
        StripeShowCommand,
        StripeEventsCommand,
        StripeReconcileCommand,
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
        DbCommand,
        DbMigrateCommand,
        DbStatusCommand,
      ],
    };
  }
}
