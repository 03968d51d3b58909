import type { FakeStripe, testStripeKeys } from './stripe';
import type { FakeVirtFusion } from './virtfusion';

/** The panel's environment for talking to the fake Stripe (with test keys made in the test). */
export function fakeStripeEnv(
  keys: ReturnType<typeof testStripeKeys>,
  stripe: FakeStripe,
): Record<string, string> {
  return {
    STRIPE_SECRET_KEY: keys.secretKey,
    STRIPE_PUBLISHABLE_KEY: keys.publishableKey,
    STRIPE_WEBHOOK_SECRET: keys.webhookSecret,
    STRIPE_API_BASE: stripe.url,
  };
}

/** The panel's environment for talking to the fakes instead of Stripe and VirtFusion. */
export function fakeServicesEnv(
  keys: ReturnType<typeof testStripeKeys>,
  stripe: FakeStripe,
  virtfusion: FakeVirtFusion,
): Record<string, string> {
  return {
    ...fakeStripeEnv(keys, stripe),
    VIRTFUSION_URL: virtfusion.url,
    VIRTFUSION_API_TOKEN: virtfusion.token,
    VIRTFUSION_HYPERVISOR_GROUP_ID: '1',
  };
}
