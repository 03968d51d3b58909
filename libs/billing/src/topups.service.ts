import { Inject, Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { APP_CONFIG, AppConfig, formatCents, ValidationError } from '@ozvps/core';
import { User, UsersService } from '@ozvps/users';
import { Topup } from './billing.entity';
import { BillingRepository } from './billing.repository';
import { InstallationService } from './installation.service';
import {
  StripeNotConfiguredError,
  StripeUnavailableError,
  TooManyOpenTopupsError,
  TopupNotFoundError,
} from './errors';
import { StripeClient, stripeErrors } from './stripe.provider';

export interface StartedTopup {
  sessionId: string;
  checkoutUrl: string;
}

export interface TopupOptions {
  /** Where Stripe's Cancel leads (a path under APP_URL); default the wallet page. */
  cancelPath?: string;
}

/**
 * Checkouts one user may have open (pending) at once, "Top up & deploy" ones included. Counted
 * over the last 24 h, how long a Checkout Session stays payable, so a lost `expired` webhook never
 * locks a customer out.
 */
const MAX_OPEN_TOPUPS = 10;
const OPEN_TOPUP_WINDOW_MS = 24 * 3_600_000;

/** What happened when a checkout was expired at Stripe. */
export type ExpireOutcome = 'expired' | 'already_closed' | 'failed';

/** Stripe Checkout top-ups. Starting one never credits anything: only the verified webhook does. */
@Injectable()
export class TopupsService {
  private readonly logger = new Logger('Billing');

  constructor(
    private readonly stripeClient: StripeClient,
    private readonly billing: BillingRepository,
    private readonly installation: InstallationService,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The user's Stripe customer, created on the first billing action (never at sign-up). Two first
   * clicks at once make one customer: Stripe's idempotency key, then a conditional UPDATE.
   */
  async getOrCreateCustomer(user: User): Promise<string> {
    if (user.stripeCustomerId) return user.stripeCustomerId;
    const stripe = this.requireStripe();
    const idempotencyKey = await this.installation.stripeKey('customer', user);
    const customer = await this.callStripe('create the Stripe customer', () =>
      stripe.customers.create(
        {
          email: user.email,
          name: user.name || undefined,
          metadata: {
            ozvps_user_id: String(user.id),
            ...(user.auth0Sub ? { auth0_sub: user.auth0Sub } : {}),
          },
        },
        { idempotencyKey },
      ),
    );
    const linked = await this.users.linkStripeCustomer(user, customer.id);
    return linked.stripeCustomerId!;
  }

  /** Records a pending top-up and opens a Checkout Session for it. */
  async start(user: User, amountCents: unknown, options: TopupOptions = {}): Promise<StartedTopup> {
    const { minCents, maxCents } = this.config.topups;
    if (
      typeof amountCents !== 'number' ||
      !Number.isSafeInteger(amountCents) ||
      amountCents < minCents ||
      amountCents > maxCents
    ) {
      throw new ValidationError(
        `A top-up is from ${formatCents(minCents, this.config.walletCurrency)} to ${formatCents(maxCents, this.config.walletCurrency)} (amountCents must be a whole number of cents from ${minCents} to ${maxCents}). Choose an amount in that range`,
      );
    }
    const stripe = this.requireStripe();
    // Before Stripe hears of it (no customer created for a refused top-up), then again atomically.
    await this.assertCanOpen(user);
    const customer = await this.getOrCreateCustomer(user);
    const topup = await this.billing.insertTopupIfFewerOpen(
      { userId: user.id, amountCents, currency: this.config.walletCurrency },
      MAX_OPEN_TOPUPS,
      this.openSince(),
    );
    if (!topup) throw new TooManyOpenTopupsError(MAX_OPEN_TOPUPS);
    const idempotencyKey = await this.installation.stripeKey('topup', topup);
    let session: Stripe.Checkout.Session;
    try {
      session = await this.callStripe('open the checkout', () =>
        stripe.checkout.sessions.create(
          {
            mode: 'payment',
            customer,
            client_reference_id: String(user.id),
            metadata: {
              ozvps_user_id: String(user.id),
              kind: 'wallet_topup',
              ozvps_topup_id: String(topup.id),
            },
            payment_intent_data: {
              receipt_email: user.email,
              metadata: {
                ozvps_user_id: String(user.id),
                kind: 'wallet_topup',
                ozvps_topup_id: String(topup.id),
              },
            },
            line_items: [
              {
                quantity: 1,
                price_data: {
                  currency: this.config.walletCurrency,
                  unit_amount: amountCents,
                  product_data: { name: 'OzVPS wallet top-up' },
                },
              },
            ],
            success_url: `${this.config.appUrl}/wallet/topup/return?session_id={CHECKOUT_SESSION_ID}`,
            cancel_url: `${this.config.appUrl}${options.cancelPath ?? '/wallet?topup=cancelled'}`,
          },
          { idempotencyKey },
        ),
      );
    } catch (err) {
      await this.billing.updateTopup(topup.id, {
        status: 'failed',
        failureReason: (err as Error).message.slice(0, 500),
      });
      throw err;
    }
    if (!session.url)
      throw new StripeUnavailableError('Stripe opened a checkout without a payment page; try again');
    await this.billing.updateTopup(topup.id, { stripeCheckoutSessionId: session.id });
    return { sessionId: session.id, checkoutUrl: session.url };
  }

  /** TooManyOpenTopupsError when the user already has the most checkouts open that one may. */
  async assertCanOpen(user: User): Promise<void> {
    if ((await this.billing.countOpenTopups(user.id, this.openSince())) >= MAX_OPEN_TOPUPS)
      throw new TooManyOpenTopupsError(MAX_OPEN_TOPUPS);
  }

  private openSince(): Date {
    return new Date(Date.now() - OPEN_TOPUP_WINDOW_MS);
  }

  /** What the return page may say: only what the server knows. */
  async status(user: User, sessionId: string): Promise<Pick<Topup, 'status' | 'amountCents' | 'currency'>> {
    const topup = await this.billing.findTopupForUser(user.id, sessionId);
    if (!topup) throw new TopupNotFoundError();
    return { status: topup.status, amountCents: topup.amountCents, currency: topup.currency };
  }

  /** A top-up by its checkout session (null: no such top-up). */
  async findBySession(sessionId: string): Promise<Pick<Topup, 'status' | 'amountCents'> | null> {
    return this.billing.findTopupBySession(sessionId);
  }

  /** Top-ups by their checkout sessions (sessions without one are absent from the map). */
  async findBySessions(sessionIds: string[]): Promise<Map<string, Pick<Topup, 'status' | 'amountCents'>>> {
    const rows = await this.billing.findTopupsBySessions(sessionIds);
    return new Map(
      rows.map((t) => [t.stripeCheckoutSessionId!, { status: t.status, amountCents: t.amountCents }]),
    );
  }

  /**
   * Closes an open Checkout Session at Stripe so it can no longer be paid, and its pending top-up
   * with it. Stripe's answer never throws: a session already complete (paid in another tab) or expired is `already_closed` (its webhook
   * decides what the wallet gets), anything else is logged as `failed` (the session then stays
   * payable until Stripe expires it after 24 h; if it is paid, the money lands in the wallet).
   */
  async expireCheckout(sessionId: string): Promise<ExpireOutcome> {
    const stripe = this.stripeClient.get();
    if (!stripe) return 'failed';
    try {
      await stripe.checkout.sessions.expire(sessionId);
    } catch (err) {
      if (err instanceof stripeErrors().StripeInvalidRequestError) return 'already_closed';
      this.logger.warn(`could not expire checkout ${sessionId}: ${(err as Error).message}`);
      return 'failed';
    }
    // Stripe will say so too (checkout.session.expired); until then the top-up should not look payable.
    const topup = await this.billing.findTopupBySession(sessionId);
    if (topup)
      await this.billing.transaction((em) =>
        this.billing.closeTopup(em, topup.id, 'expired', 'checkout expired by the panel'),
      );
    return 'expired';
  }

  /** A Stripe customer-portal page for payment methods and receipts. */
  async portalUrl(user: User): Promise<string> {
    const stripe = this.requireStripe();
    const customer = await this.getOrCreateCustomer(user);
    const portal = await this.callStripe('open the billing portal', () =>
      stripe.billingPortal.sessions.create({ customer, return_url: `${this.config.appUrl}/billing` }),
    );
    return portal.url;
  }

  private requireStripe(): Stripe {
    const stripe = this.stripeClient.get();
    if (!stripe) throw new StripeNotConfiguredError();
    return stripe;
  }

  private async callStripe<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      this.logger.warn(`could not ${what}: ${(err as Error).message}`);
      throw new StripeUnavailableError(
        `Payments are unavailable right now (could not ${what}); nothing was charged. Try again in a minute.`,
      );
    }
  }
}
