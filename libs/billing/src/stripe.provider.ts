import { Inject, Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { APP_CONFIG, AppConfig } from '@ozvps/core';

/** The Stripe API version this code is written against; pinned so Stripe's upgrades never surprise us. */
export const STRIPE_API_VERSION = '2025-08-27.basil';

/**
 * The SDK is required on first use, not at import: loading it costs every CLI command ~0.1 s, and
 * most commands (wallet show, users list, ...) never talk to Stripe.
 */
function sdk(): typeof Stripe {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see above)
  return (require('stripe') as { default: typeof Stripe }).default;
}

/** Stripe's error classes; free to call in a catch block, where the SDK is already loaded. */
export function stripeErrors(): typeof Stripe.errors {
  return sdk().errors;
}

/** Holds the SDK client, built the first time a caller needs it. */
@Injectable()
export class StripeClient {
  private client: Stripe | null | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The client, or null when Stripe is not configured (callers then refuse with a clear error). */
  get(): Stripe | null {
    if (this.client === undefined) this.client = this.build();
    return this.client;
  }

  private build(): Stripe | null {
    const stripe = this.config.stripe;
    if (!stripe) return null;
    const base = stripe.apiBase ? new URL(stripe.apiBase) : undefined;
    const StripeSdk = sdk();
    return new StripeSdk(stripe.secretKey, {
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
  }
}
