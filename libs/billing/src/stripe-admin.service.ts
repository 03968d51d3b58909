import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig, AuditTrail, ValidationError } from '@ozvps/core';
import { EVENT_OUTCOMES, EventOutcome, StripeEventRecord, WebhookFailureReason } from './billing.entity';
import { BillingRepository } from './billing.repository';
import { StripeNotConfiguredError, StripeUnavailableError } from './errors';
import { InstallationService } from './installation.service';
import { StripeClient, stripeErrors } from './stripe.provider';
import { StripeWebhookService } from './webhook.service';

export interface StripeStatus {
  configured: boolean;
  mode: 'test' | 'live' | null;
  secretKey: string | null;
  publishableKey: string | null;
  webhookSecrets: string[];
  keysAgree: boolean;
  webhookUrl: string;
  apiBase: string | null;
  lastEvent: { eventId: string; type: string; outcome: EventOutcome; receivedAt: string } | null;
  last24h: Partial<Record<EventOutcome, number>>;
  /**
   * Deliveries that carried a Stripe-Signature header that did not verify (bad_signature, too_old)
   * in the last 24 hours: what a wrong STRIPE_WEBHOOK_SECRET looks like.
   */
  signatureFailures24h: number;
  /** Every refused delivery in the last 24 hours by reason, including no_signature and unreadable. */
  refusedDeliveries24h: Partial<Record<WebhookFailureReason, number>>;
  lastSignatureFailureAt: string | null;
  /** "N signature failures in 24 h — check STRIPE_WEBHOOK_SECRET", or null when N is 0. */
  signatureWarning: string | null;
  /**
   * Whether signatures are failing now: the newest signature failure is newer than the newest
   * verified event. `ozvpsctl stripe status` exits 1 then; the warning stays for 24 h either way.
   */
  signaturesFailingNow: boolean;
  /** This installation's id, the prefix of every Stripe idempotency key (not a secret). */
  installationId: string;
  problems: string[];
}

/** The exact words operators see when signatures fail. */
export function signatureWarning(n: number): string | null {
  return n > 0 ? `${n} signature failure${n === 1 ? '' : 's'} in 24 h — check STRIPE_WEBHOOK_SECRET` : null;
}

export interface ReconcileItem {
  eventId: string;
  type: string;
  created: string;
  alreadyRecorded: boolean;
  outcome: EventOutcome | null;
}

/** Checkout events worth replaying: the ones that credit or close a top-up. */
const RECONCILE_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
];

/** Shows only presence, mode and the last four characters of a secret. */
export function maskSecret(value: string | undefined): string | null {
  if (!value) return null;
  const prefix = value.match(/^(sk|rk|pk)_(test|live)_|^whsec_/)?.[0] ?? '';
  return `${prefix}…${value.slice(-4)}`;
}

/** What admins and operators need to see and repair about Stripe. */
@Injectable()
export class StripeAdminService {
  constructor(
    private readonly stripeClient: StripeClient,
    private readonly billing: BillingRepository,
    private readonly webhooks: StripeWebhookService,
    private readonly installation: InstallationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  async status(): Promise<StripeStatus> {
    const s = this.config.stripe;
    const problems: string[] = [];
    if (!s) problems.push('Stripe is not configured: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET');
    if (s && !s.publishableKey) problems.push('STRIPE_PUBLISHABLE_KEY is not set');
    const [last] = await this.billing.recentEvents(1);
    const since = new Date(Date.now() - 24 * 3600_000);
    const counts = await this.billing.outcomeCountsSince(since);
    const refused = await this.billing.webhookFailuresSince(since);
    const signatureRows = refused.filter((r) => r.reason === 'bad_signature' || r.reason === 'too_old');
    const signatureFailures = signatureRows.reduce((n, r) => n + r.count, 0);
    const lastFailure = signatureRows.reduce<Date | null>(
      (latest, r) => (!latest || r.lastAt > latest ? r.lastAt : latest),
      null,
    );
    const warning = signatureWarning(signatureFailures);
    if (warning) problems.push(warning);
    if (s && this.config.appUrl.startsWith('http://') && s.mode === 'live') {
      problems.push('live keys with an http APP_URL: Stripe delivers live webhooks only to https');
    }
    return {
      configured: !!s,
      mode: s?.mode ?? null,
      secretKey: maskSecret(s?.secretKey),
      publishableKey: maskSecret(s?.publishableKey),
      webhookSecrets: (s?.webhookSecrets ?? []).map((w) => maskSecret(w)!),
      keysAgree: !!s, // the configuration refuses to start with keys of different modes
      webhookUrl: `${this.config.appUrl}/api/stripe/webhook`,
      apiBase: s?.apiBase ?? null,
      lastEvent: last
        ? {
            eventId: last.eventId,
            type: last.type,
            outcome: last.outcome,
            receivedAt: last.receivedAt.toISOString(),
          }
        : null,
      last24h: counts,
      signatureFailures24h: signatureFailures,
      refusedDeliveries24h: Object.fromEntries(refused.map((r) => [r.reason, r.count])),
      lastSignatureFailureAt: lastFailure?.toISOString() ?? null,
      signatureWarning: warning,
      signaturesFailingNow: !!lastFailure && (!last || last.receivedAt < lastFailure),
      installationId: await this.installation.installationId(),
      problems,
    };
  }

  /**
   * Whether Stripe answers: one cheap authenticated call (the newest event) within `timeoutMs`, no
   * retries. Throws StripeNotConfiguredError when there are no keys, else the SDK's error.
   */
  async ping(timeoutMs: number): Promise<void> {
    const stripe = this.stripeClient.get();
    if (!stripe) throw new StripeNotConfiguredError();
    await stripe.events.list({ limit: 1 }, { timeout: timeoutMs, maxNetworkRetries: 0 });
  }

  /** Recorded deliveries, newest first. */
  events(options: { outcome?: string; since?: Date; limit?: number } = {}): Promise<StripeEventRecord[]> {
    if (options.outcome !== undefined && !EVENT_OUTCOMES.includes(options.outcome as EventOutcome)) {
      throw new ValidationError(`outcome must be one of ${EVENT_OUTCOMES.join(', ')}`);
    }
    return this.billing.events({
      outcome: options.outcome as EventOutcome | undefined,
      since: options.since,
      limit: options.limit ?? 50,
    });
  }

  /**
   * Lists Stripe's own checkout events since `since` and, with `apply`, feeds each through the
   * same idempotent handler as the webhook: anything missed is credited, nothing twice.
   */
  async reconcile(since: Date, apply: boolean, actor?: string): Promise<ReconcileItem[]> {
    const stripe = this.stripeClient.get();
    if (!stripe) throw new StripeNotConfiguredError();
    const items: ReconcileItem[] = [];
    try {
      for await (const event of stripe.events.list({
        types: RECONCILE_TYPES,
        created: { gte: Math.floor(since.getTime() / 1000) },
        limit: 100,
      })) {
        const recorded = await this.billing.hasSettledRecord(event.id);
        let outcome: EventOutcome | null = null;
        if (apply) outcome = (await this.webhooks.handle(event)).outcome;
        items.push({
          eventId: event.id,
          type: event.type,
          created: new Date(event.created * 1000).toISOString(),
          alreadyRecorded: recorded,
          outcome,
        });
      }
    } catch (err) {
      if (err instanceof stripeErrors().StripeError)
        throw new StripeUnavailableError(`Could not list events from Stripe: ${err.message}`);
      throw err;
    }
    // Each replayed event committed on its own (as a webhook would); this row records the run.
    if (apply && actor)
      await this.dataSource.transaction((em) =>
        AuditTrail.record(em, {
          actor,
          action: 'stripe.reconcile',
          target: { type: 'stripe', id: null },
          after: {
            since: since.toISOString(),
            events: items.length,
            credited: items.filter((i) => i.outcome === 'credited').length,
          },
        }),
      );
    return items.reverse();
  }
}
