import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { AccountsModule } from '@ozvps/accounts';
import { BillingModule } from '@ozvps/billing';
import {
  AppConfig,
  AuditModule,
  BUILD_INFO,
  BuildInfo,
  ClusterModule,
  CoreConfigModule,
  DatabaseModule,
  RateLimitsRepository,
} from '@ozvps/core';
import { SCHEMA } from '@ozvps/migrations';
import { NotificationsModule } from '@ozvps/notifications';
import { PlansModule } from '@ozvps/plans';
import { ServersModule } from '@ozvps/servers';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';
import { AccountController } from './account/account.controller';
import { AdminAuditController } from './admin/admin-audit.controller';
import { AccountRecoveryController } from './account/account-recovery.controller';
import { AccountSecurityController } from './account/account-security.controller';
import { VerifiedEmailGuard } from './account/verified-email.guard';
import { AdminMailController } from './admin/admin-mail.controller';
import { AdminRepriceController } from './admin/admin-reprice.controller';
import { AdminServersController } from './admin/admin-servers.controller';
import { AdminUsersController } from './admin/admin-users.controller';
import { AuthController } from './auth/auth.controller';
import { OidcController } from './auth/oidc.controller';
import { JsonOriginGuard } from './auth/json-origin.guard';
import { RATE_LIMITS } from './auth/rate-limits';
import { SessionGuard } from './auth/session.guard';
import { AccountTwoFactorController, TwoFactorSignInController } from './auth/two-factor.controller';
import { MailSenderScheduler } from './mail/mail-sender.scheduler';
import { SharedThrottlerStorage } from './auth/shared-throttler.storage';
import { ClusterJobs } from './jobs/cluster-jobs';
import { ClusterMaintenanceScheduler } from './jobs/cluster-maintenance.scheduler';
import { PlanSyncScheduler } from './plans/plan-sync.scheduler';
import { VirtFusionReachabilityHandler } from './plans/virtfusion-reachability.handler';
import { AdminPlansController, PlansController } from './plans/plans.controller';
import { StripeAdminController } from './billing/stripe-admin.controller';
import { StripeWebhookController } from './billing/stripe-webhook.controller';
import { WalletController } from './billing/wallet.controller';
import { ServerActionsController } from './servers/server-actions.controller';
import { ServersController } from './servers/servers.controller';
import { SshKeysController } from './servers/ssh-keys.controller';
import { ServersScheduler } from './servers/servers.scheduler';
import { TopupCreditedHandler } from './servers/topup-credited.handler';
import { SystemController } from './system.controller';
import { OperationsModule } from '@ozvps/operations';
import { AdminForecastController, AdminHealthController } from './operations/operations.controller';
import { HealthWatchScheduler } from './operations/health-watch.scheduler';
import { AdminDocumentsController, DocumentsController } from './invoices/documents.controller';
import { InvoicesBackfill } from './invoices/invoices-backfill';
import { InvoicesModule } from '@ozvps/invoices';
import { jsonLogParams } from './logging/json-logs';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsListeners } from './metrics/metrics.listeners';
import { PanelMetrics } from './metrics/panel-metrics';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, buildInfo: BuildInfo): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreConfigModule.forRoot(config),
        DatabaseModule.forRoot(SCHEMA),
        ClusterModule,
        ThrottlerModule.forRootAsync({
          imports: [ClusterModule],
          inject: [RateLimitsRepository],
          useFactory: (counters: RateLimitsRepository) => ({
            ...RATE_LIMITS,
            storage: new SharedThrottlerStorage(counters),
          }),
        }),
        EventEmitterModule.forRoot(),
        UsersModule,
        WalletModule,
        AccountsModule,
        PlansModule,
        BillingModule,
        ServersModule,
        NotificationsModule,
        OperationsModule,
        InvoicesModule,
        AuditModule,
        ScheduleModule.forRoot(),
        ...(config.logFormat === 'json' ? [LoggerModule.forRoot(jsonLogParams(config))] : []),
      ],
      controllers: [
        SystemController,
        AuthController,
        OidcController,
        AdminUsersController,
        AdminRepriceController,
        PlansController,
        AdminPlansController,
        WalletController,
        StripeWebhookController,
        StripeAdminController,
        ServersController,
        AdminMailController,
        AccountController,
        ServerActionsController,
        SshKeysController,
        AdminServersController,
        AdminForecastController,
        AdminHealthController,
        DocumentsController,
        AdminDocumentsController,
        MetricsController,
        TwoFactorSignInController,
        AccountTwoFactorController,
        AdminAuditController,
        AccountRecoveryController,
        AccountSecurityController,
      ],
      providers: [
        { provide: BUILD_INFO, useValue: buildInfo },
        ClusterJobs,
        ClusterMaintenanceScheduler,
        PlanSyncScheduler,
        ServersScheduler,
        TopupCreditedHandler,
        MailSenderScheduler,
        VirtFusionReachabilityHandler,
        HealthWatchScheduler,
        InvoicesBackfill,
        PanelMetrics,
        MetricsListeners,
        // Order matters: cross-site writes are refused first (uncounted, as before any route
        // work), rate limits count refused requests too, then the session gate.
        { provide: APP_GUARD, useClass: JsonOriginGuard },
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useClass: SessionGuard },
        { provide: APP_GUARD, useClass: VerifiedEmailGuard },
      ],
    };
  }
}
