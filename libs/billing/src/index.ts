export * from './billing.entity';

import { StripeEventRecord, Topup } from './billing.entity';
export const BILLING_ENTITIES = [Topup, StripeEventRecord];
