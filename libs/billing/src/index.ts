export * from './billing.entity';
export * from './billing.module';
export * from './errors';
export { TopupsService } from './topups.service';
export type { ExpireOutcome, StartedTopup, TopupOptions } from './topups.service';
export { TOPUP_CREDITED, TopupCreditedEvent } from './topup-credited.event';
export { StripeWebhookService } from './webhook.service';
export type { WebhookResult } from './webhook.service';
export { STRIPE_API_VERSION } from './stripe.provider';
export { StripeAdminService, maskSecret } from './stripe-admin.service';
export type { StripeStatus, ReconcileItem } from './stripe-admin.service';

export { InstallationService } from './installation.service';

import { Installation, StripeEventRecord, StripeWebhookFailure, Topup } from './billing.entity';
export const BILLING_ENTITIES = [Topup, StripeEventRecord, Installation, StripeWebhookFailure];
