import { Module } from '@nestjs/common';
import { NotificationsModule } from '@ozvps/notifications';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';
import { BillingRepository } from './billing.repository';
import { InstallationService } from './installation.service';
import { StripeAdminService } from './stripe-admin.service';
import { stripeProvider } from './stripe.provider';
import { TopupsService } from './topups.service';
import { StripeWebhookService } from './webhook.service';

@Module({
  imports: [UsersModule, WalletModule, NotificationsModule],
  providers: [
    stripeProvider,
    BillingRepository,
    InstallationService,
    TopupsService,
    StripeWebhookService,
    StripeAdminService,
  ],
  exports: [TopupsService, StripeWebhookService, StripeAdminService, InstallationService],
})
export class BillingModule {}
