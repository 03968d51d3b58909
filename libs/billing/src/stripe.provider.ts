import { Provider } from '@nestjs/common';
import Stripe from 'stripe';
import { APP_CONFIG, AppConfig } from '@ozvps/core';

/** The Stripe API version this code is written against; pinned so Stripe's upgrades never surprise us. */
export const STRIPE_API_VERSION = '2025-08-27.basil';

export const STRIPE = Symbol('STRIPE');

/** The SDK client, or null when Stripe is not configured (callers then refuse with a clear error). */
export const stripeProvider: Provider = {
  provide: STRIPE,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): Stripe | null => {
    if (!config.stripe) return null;
    const base = config.stripe.apiBase ? new URL(config.stripe.apiBase) : undefined;
    return new Stripe(config.stripe.secretKey, {
      apiVersion: STRIPE_API_VERSION,
      maxNetworkRetries: 2,
      timeout: 15_000,
      appInfo: { name: 'ozvps-panel' },
      ...(base && {
        host: base.hostname,
        port: base.port || (base.protocol === 'https:' ? 443 : 80),
        protocol: base.protocol === 'https:' ? 'https' : 'http',
      }),
    });
  },
};
