import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type Stripe from 'stripe';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig, isUniqueViolation, LogThrottle } from '@ozvps/core';
import { AdminAlerts, Outbox } from '@ozvps/notifications';
import { User, UsersService } from '@ozvps/users';
import { DuplicateLedgerKeyError, DuplicateStripeEventError, WalletService } from '@ozvps/wallet';
import { EventOutcome, Topup, WebhookFailureReason } from './billing.entity';
import { BillingRepository, EventRecordInput } from './billing.repository';
import {
  StripeNotConfiguredError,
  WebhookMalformedError,
  WebhookModeMismatchError,
  WebhookSignatureError,
} from './errors';
import { StripeClient } from './stripe.provider';
import { isObject, malformation, printable, shown } from './stripe-event-shape';
import { TOPUP_CREDITED, TopupCreditedEvent } from './topup-credited.event';

export interface WebhookResult {
  eventId: string;
  type: string;
  outcome: EventOutcome;
}

type Session = Stripe.Checkout.Session;

interface Decision {
  outcome: EventOutcome;
  user?: Pick<User, 'id'> | null;
  reason?: string;
  /** Set when money reached the wallet: what the TOPUP_CREDITED event says. */
  credited?: TopupCreditedEvent;
}

/**
 * Stripe's webhook: verified on the raw body, then handled exactly once per event and once per
 * checkout session. It returns only after the credit (or the decision not to credit) is committed;
 * anything that throws becomes a 5xx so Stripe delivers again.
 */
@Injectable()
export class StripeWebhookService {
  private readonly logger = new Logger('StripeWebhook');
  /** A storm of unsigned posts must not become a storm of log lines: one per reason per window. */
  private readonly refusals = new LogThrottle();

  constructor(
    private readonly stripeClient: StripeClient,
    private readonly billing: BillingRepository,
    private readonly users: UsersService,
    private readonly wallet: WalletService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventEmitter2,
    private readonly outbox: Outbox,
    private readonly alerts: AdminAlerts,
  ) {}

  /** Verifies the signature against each configured secret (several while rotating). */
  verify(rawBody: Buffer | undefined, signature: string | undefined): Stripe.Event {
    const stripe = this.stripeClient.get();
    if (!stripe || !this.config.stripe) throw new StripeNotConfiguredError();
    if (!rawBody || !signature)
      throw new WebhookSignatureError('Missing body or Stripe-Signature header', 'no_signature');
    let tooOld = false;
    for (const secret of this.config.stripe.webhookSecrets) {
      try {
        return stripe.webhooks.constructEvent(rawBody, signature, secret, 300);
      } catch (err) {
        // The SDK checks the signature first, then the age; JSON.parse runs only after both pass.
        if (err instanceof SyntaxError)
          throw new WebhookMalformedError('The signed payload is not a JSON Stripe event');
        if (/tolerance/i.test((err as Error).message)) tooOld = true;
        // otherwise try the next secret
      }
    }
    if (tooOld)
      throw new WebhookSignatureError(
        "Stripe signature older than 5 minutes (a replay, or this server's clock is wrong)",
        'too_old',
      );
    throw new WebhookSignatureError(
      'Invalid Stripe signature (wrong STRIPE_WEBHOOK_SECRET, or a payload older than 5 minutes)',
      'bad_signature',
    );
  }

  /**
   * Tells whoever listens (the API: waiting deploys, overdue renewals) that money reached a
   * wallet. Called only after the commit; listeners run after the webhook has answered, so their
   * failures never make Stripe retry a credit that is already done.
   */
  private emitCredited(credited: TopupCreditedEvent): void {
    try {
      this.events.emit(TOPUP_CREDITED, credited);
    } catch (err) {
      this.logger.error(`after crediting user ${credited.userId}: ${(err as Error).message}`);
    }
  }

  /** Verifies and handles one delivery; a refused delivery is logged in one line and counted. */
  async receive(rawBody: Buffer | undefined, signature: string | undefined): Promise<WebhookResult> {
    let event: Stripe.Event;
    try {
      event = this.verify(rawBody, signature);
    } catch (err) {
      if (err instanceof WebhookSignatureError || err instanceof WebhookMalformedError) {
        await this.refused(err instanceof WebhookSignatureError ? err.reason : 'unreadable');
      }
      throw err;
    }
    return this.handle(event);
  }

  /**
   * One line (the reason class only: never the secret, the header or the body) and one counter
   * tick, which `ozvpsctl stripe status` and the admin Stripe page turn into a warning; a bad
   * signature is also an admin alert (one an hour: a wrong STRIPE_WEBHOOK_SECRET means payments
   * are not being credited). A failure to count or alert never changes the 400.
   */
  private async refused(reason: WebhookFailureReason): Promise<void> {
    const line = this.refusals.line(
      reason,
      `stripe webhook refused: reason=${reason}${reason === 'bad_signature' ? ' (no configured STRIPE_WEBHOOK_SECRET matches)' : ''}`,
    );
    if (line) this.logger.warn(line);
    await this.billing.countWebhookFailure(reason).catch((err: unknown) => {
      this.logger.error(`could not count a refused webhook: ${(err as Error).message}`);
    });
    // A post with no signature at all is rarely Stripe; a signature that does not match (or is stale) is.
    if (reason === 'bad_signature' || reason === 'too_old')
      await this.alerts.webhookSignatureFailed(reason).catch((err: unknown) => {
        this.logger.error(`could not alert admins of a refused webhook: ${(err as Error).message}`);
      });
  }

  /** Handles a verified event; safe to call again with the same event (reconciliation does). */
  async handle(event: Stripe.Event): Promise<WebhookResult> {
    const malformed = malformation(event);
    if (malformed) return this.refuseMalformed(event, malformed);
    const base = { eventId: event.id, type: event.type, livemode: event.livemode };
    if (event.livemode !== (this.config.stripe!.mode === 'live')) {
      const reason = `a ${event.livemode ? 'live' : 'test'}-mode event reached ${this.config.stripe!.mode}-mode keys: check STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET`;
      await this.record({ ...base, outcome: 'failed', reason }).catch(() => undefined);
      this.logger.error(`refused Stripe event ${shown(event.id)} (${shown(event.type)}): ${reason}`);
      throw new WebhookModeMismatchError(reason);
    }
    let decision: Decision & { record: EventRecordInput };
    try {
      decision = await this.decide(event);
    } catch (err) {
      const reason = `failed: ${(err as Error).message.slice(0, 300)}`;
      await this.record({ ...base, outcome: 'failed', reason, ...sessionFields(event) }).catch(
        () => undefined,
      );
      this.logLine(event, 'failed', await this.resolveUserOf(event).catch(() => null), reason);
      throw err;
    }
    this.logLine(event, decision.outcome, decision.user ?? null, decision.reason);
    if (decision.outcome === 'credited' && decision.credited) this.emitCredited(decision.credited);
    return { eventId: event.id, type: event.type, outcome: decision.outcome };
  }

  /**
   * A signed event whose shape the handler cannot read: recorded and answered 400. A 5xx would
   * have Stripe retry the same bytes for three days. Recording it is not optional: if the database
   * cannot take the row, the error is a 5xx and Stripe delivers again. Every string is stored
   * escaped and cut short: a NUL byte would make PostgreSQL refuse the row (a 5xx, retried for days).
   */
  private async refuseMalformed(event: Stripe.Event, problem: string): Promise<never> {
    const e = event as unknown as Record<string, unknown> | null;
    const text = (v: unknown) => (typeof v === 'string' && v ? printable(v, 255) : '(none)');
    const fields = sessionFields(event);
    const optText = (v: string | null | undefined) => (typeof v === 'string' ? printable(v, 255) : v);
    const row: EventRecordInput = {
      eventId: text(e?.id),
      type: text(e?.type),
      livemode: e?.livemode === true,
      outcome: 'malformed',
      reason: problem,
      ...fields,
      stripeCustomerId: optText(fields.stripeCustomerId),
      stripeCheckoutSessionId: optText(fields.stripeCheckoutSessionId),
      currency: optText(fields.currency),
    };
    await this.record(row);
    this.logger.warn(
      `stripe event ${shown(e?.id)} type=${shown(e?.type)} user=NOT FOUND credited=no outcome=malformed (${problem})`,
    );
    throw new WebhookMalformedError(`Malformed Stripe event: ${problem}`);
  }

  private async decide(event: Stripe.Event): Promise<Decision & { record: EventRecordInput }> {
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded': {
        const session = event.data.object;
        if (session.payment_status !== 'paid')
          return this.finish(event, {
            outcome: 'unpaid',
            reason: `payment_status ${session.payment_status}`,
          });
        return this.creditSession(event, session);
      }
      case 'checkout.session.async_payment_failed':
        return this.closeSession(event, event.data.object, 'failed');
      case 'checkout.session.expired':
        return this.closeSession(event, event.data.object, 'expired');
      case 'charge.refunded':
        return this.clawBackRefund(event, event.data.object);
      case 'charge.dispute.funds_withdrawn':
        return this.disputeFunds(event, event.data.object, 'withdrawn');
      case 'charge.dispute.funds_reinstated':
        return this.disputeFunds(event, event.data.object, 'reinstated');
      default:
        return this.finish(event, { outcome: 'ignored', reason: 'event type not handled' });
    }
  }

  private async creditSession(
    event: Stripe.Event,
    session: Session,
  ): Promise<Decision & { record: EventRecordInput }> {
    if (session.metadata?.kind !== 'wallet_topup')
      return this.finish(event, { outcome: 'ignored', reason: 'not a wallet top-up' });
    try {
      return await this.billing.transaction(async (em) => {
        // The hot path: the top-up (locked) and the customer's user in one round trip.
        const customer = idOf(session.customer);
        const found = await this.billing.lockTopupForSession(em, session.id, customer);
        const user = found.customerUserId
          ? { id: found.customerUserId }
          : await this.resolveUser(session, em);
        const topup = found.topup ?? (await this.lockTopup(em, session));
        const problem = this.check(session, user, topup);
        if (problem) return this.finish(event, problem, em);
        if (topup!.status === 'credited')
          return this.finish(event, { outcome: 'duplicate', user, reason: 'session already credited' }, em);
        const paymentIntent =
          typeof session.payment_intent === 'string'
            ? session.payment_intent
            : (session.payment_intent?.id ?? null);
        const row = await this.wallet.credit(
          {
            userId: user!.id,
            amountCents: topup!.amountCents,
            type: 'topup',
            actor: 'stripe',
            reason: 'Stripe top-up',
            stripeEventId: event.id,
            stripeCheckoutSessionId: session.id,
            stripePaymentIntentId: paymentIntent ?? undefined,
          },
          em,
        );
        // The payer's row gives the address and the receipts preference: one read on the hot path.
        const payer = await this.users.getById(user!.id, em);
        await this.outbox.enqueue(em, {
          kind: 'topup-received',
          to: payer.email,
          userId: payer.id,
          receiptsEmail: payer.receiptsEmail,
          dedupeKey: `topup-received:${session.id}`,
          data: {
            amountCents: topup!.amountCents,
            balanceCents: row.balanceAfterCents,
            documentNumber: row.documentNumber,
          },
        });
        const decision: Decision = {
          outcome: 'credited',
          user,
          credited: new TopupCreditedEvent(user!.id, topup!.id, session.id, topup!.amountCents),
        };
        const record = this.recordOf(event, decision);
        await this.billing.markCreditedAndRecord(em, topup!.id, session.id, paymentIntent, record);
        return { ...decision, record };
      });
    } catch (err) {
      // A concurrent copy committed first: the unique keys on the ledger turned this one away.
      if (
        err instanceof DuplicateStripeEventError ||
        isUniqueViolation(err, 'wallet_transactions_topup_session_key')
      ) {
        return this.finish(event, { outcome: 'duplicate', reason: 'already applied' });
      }
      throw err;
    }
  }

  private async closeSession(
    event: Stripe.Event,
    session: Session,
    status: 'failed' | 'expired',
  ): Promise<Decision & { record: EventRecordInput }> {
    if (session.metadata?.kind !== 'wallet_topup')
      return this.finish(event, { outcome: 'ignored', reason: 'not a wallet top-up' });
    return this.billing.transaction(async (em) => {
      const user = await this.resolveUser(session, em);
      const topup = await this.lockTopup(em, session);
      if (!topup)
        return this.finish(event, { outcome: 'unmatched', user, reason: 'no top-up for this session' }, em);
      const closed = await this.billing.closeTopup(em, topup.id, status, `checkout ${status}`);
      return this.finish(
        event,
        { outcome: 'closed', user, reason: closed ? `top-up ${status}` : `top-up already ${topup.status}` },
        em,
      );
    });
  }

  /**
   * A refund takes back only what is newly refunded: Stripe reports the cumulative amount, so a
   * partial refund and then a full one claw back the rest, and a late or repeated event nothing.
   * The top-up row lock serialises concurrent refund events for one payment.
   */
  private async clawBackRefund(
    event: Stripe.Event,
    charge: Stripe.Charge,
  ): Promise<Decision & { record: EventRecordInput }> {
    const paymentIntent = idOf(charge.payment_intent);
    if (!paymentIntent)
      return this.finish(event, { outcome: 'ignored', reason: 'charge without a payment intent' });
    return this.ledgerChange(event, async (em) => {
      const topup = await this.billing.lockTopupByPaymentIntent(em, paymentIntent);
      if (!topup || topup.status !== 'credited')
        return { outcome: 'unmatched', reason: 'no credited top-up for this payment' };
      const user = await this.users.getById(topup.userId, em);
      const already = -(await this.wallet.sumForPaymentIntent(em, 'stripe_refund', paymentIntent));
      const refunded = Math.min(charge.amount_refunded, topup.amountCents);
      const newly = refunded - already;
      if (newly <= 0)
        return { outcome: 'duplicate', user, reason: `refund of ${refunded} already taken back` };
      const row = await this.wallet.debit(
        {
          userId: user.id,
          amountCents: newly,
          type: 'stripe_refund',
          actor: 'stripe',
          reason: `Stripe refund (${refunded} of ${topup.amountCents} refunded)`,
          stripeEventId: event.id,
          stripePaymentIntentId: paymentIntent,
        },
        em,
      );
      // Keyed by the cumulative amount: each further partial refund is its own message.
      await this.outbox.enqueue(em, {
        kind: 'refund-adjustment',
        to: user.email,
        userId: user.id,
        dedupeKey: `refund-adjustment:${charge.id}:${refunded}`,
        data: { reason: 'refund', amountCents: newly, balanceCents: row.balanceAfterCents },
      });
      return { outcome: 'reversed', user, reason: `took back ${newly}` };
    });
  }

  /** A lost dispute takes the money back; reinstated funds return it. Once per dispute each way. */
  private async disputeFunds(
    event: Stripe.Event,
    dispute: Stripe.Dispute,
    way: 'withdrawn' | 'reinstated',
  ): Promise<Decision & { record: EventRecordInput }> {
    const paymentIntent = idOf(dispute.payment_intent);
    if (!paymentIntent)
      return this.finish(event, { outcome: 'ignored', reason: 'dispute without a payment intent' });
    return this.ledgerChange(event, async (em) => {
      const topup = await this.billing.lockTopupByPaymentIntent(em, paymentIntent);
      if (!topup || topup.status !== 'credited')
        return { outcome: 'unmatched', reason: 'no credited top-up for this payment' };
      const user = await this.users.getById(topup.userId, em);
      const amountCents = Math.min(dispute.amount, topup.amountCents);
      const key = `dispute-${way}:${dispute.id}`;
      if (await this.wallet.hasLedgerKey(em, key))
        return { outcome: 'duplicate', user, reason: `dispute funds already ${way}` };
      const change = {
        userId: user.id,
        amountCents,
        actor: 'stripe',
        stripeEventId: event.id,
        stripePaymentIntentId: paymentIntent,
        idempotencyKey: key,
      };
      const notify = (balanceCents: number) =>
        this.outbox.enqueue(em, {
          kind: 'refund-adjustment',
          to: user.email,
          userId: user.id,
          dedupeKey: `refund-adjustment:dispute-${way}:${dispute.id}`,
          data: { reason: `dispute-${way}`, amountCents, balanceCents },
        });
      if (way === 'withdrawn') {
        const row = await this.wallet.debit(
          { ...change, type: 'dispute_withdrawn', reason: `Stripe dispute ${dispute.id}: funds withdrawn` },
          em,
        );
        await notify(row.balanceAfterCents);
        return { outcome: 'reversed', user, reason: `dispute took ${amountCents}` };
      }
      if (!(await this.wallet.hasLedgerKey(em, `dispute-withdrawn:${dispute.id}`))) {
        return { outcome: 'ignored', user, reason: 'reinstated funds that were never withdrawn here' };
      }
      const row = await this.wallet.credit(
        { ...change, type: 'dispute_reinstated', reason: `Stripe dispute ${dispute.id}: funds reinstated` },
        em,
      );
      await notify(row.balanceAfterCents);
      return {
        outcome: 'credited',
        user,
        reason: `dispute returned ${amountCents}`,
        credited: new TopupCreditedEvent(user.id, topup.id, null, amountCents),
      };
    });
  }

  /** Runs a ledger change and its event record in one transaction; a concurrent duplicate is a duplicate. */
  private async ledgerChange(
    event: Stripe.Event,
    change: (em: EntityManager) => Promise<Decision>,
  ): Promise<Decision & { record: EventRecordInput }> {
    try {
      return await this.billing.transaction(async (em) => this.finish(event, await change(em), em));
    } catch (err) {
      if (err instanceof DuplicateStripeEventError || err instanceof DuplicateLedgerKeyError) {
        return this.finish(event, { outcome: 'duplicate', reason: 'already applied' });
      }
      throw err;
    }
  }

  /** By the Stripe customer first, then by the panel id the session carries. */
  private async resolveUser(session: Session, em?: EntityManager): Promise<User | null> {
    const customer = typeof session.customer === 'string' ? session.customer : (session.customer?.id ?? null);
    if (customer) {
      const user = await this.users.findByStripeCustomerId(customer, em);
      if (user) return user;
    }
    const id = Number(session.metadata?.ozvps_user_id ?? session.client_reference_id);
    return Number.isSafeInteger(id) && id > 0
      ? await this.users.findByReference(String(id), em).catch(() => null)
      : null;
  }

  /**
   * The user any event's object points at (its customer, or our metadata), so the log line and
   * the record name a known user even when nothing is credited (unpaid, ignored, duplicates).
   */
  private async resolveUserOf(event: Stripe.Event, em?: EntityManager): Promise<User | null> {
    const o = event.data.object as unknown as Record<string, unknown>;
    const customer = o.object === 'customer' ? o.id : o.customer;
    const metadata = (o.metadata ?? null) as Record<string, unknown> | null;
    const reference = metadata?.ozvps_user_id ?? o.client_reference_id;
    return this.resolveUser(
      {
        customer: typeof customer === 'string' || isObject(customer) ? customer : null,
        metadata: { ozvps_user_id: typeof reference === 'string' ? reference : '' },
      } as unknown as Session,
      em,
    );
  }

  private async lockTopup(em: EntityManager, session: Session): Promise<Topup | null> {
    const bySession = await this.billing.lockTopupBySession(em, session.id);
    if (bySession) return bySession;
    // The session was opened but its id never reached our row (a crash in between): match by our id.
    const id = Number(session.metadata?.ozvps_topup_id);
    if (!Number.isSafeInteger(id) || id <= 0) return null;
    const byId = await this.billing.lockTopupById(em, id);
    return byId && (byId.stripeCheckoutSessionId === null || byId.stripeCheckoutSessionId === session.id)
      ? byId
      : null;
  }

  private check(session: Session, user: Pick<User, 'id'> | null, topup: Topup | null): Decision | null {
    if (!user) return { outcome: 'unmatched', reason: 'no panel user for this customer or metadata' };
    if (!topup) return { outcome: 'unmatched', user, reason: 'no top-up for this session' };
    if (topup.userId !== user.id)
      return { outcome: 'mismatch', user, reason: `the top-up belongs to user ${topup.userId}` };
    if ((session.currency ?? '').toLowerCase() !== topup.currency) {
      return {
        outcome: 'mismatch',
        user,
        reason: `currency ${session.currency} but the top-up is in ${topup.currency}`,
      };
    }
    if (session.amount_total !== topup.amountCents) {
      return {
        outcome: 'mismatch',
        user,
        reason: `amount ${session.amount_total} but the top-up is ${topup.amountCents}`,
      };
    }
    return null;
  }

  private async finish(
    event: Stripe.Event,
    decision: Decision,
    em?: EntityManager,
  ): Promise<Decision & { record: EventRecordInput }> {
    if (decision.user === undefined) decision = { ...decision, user: await this.resolveUserOf(event, em) };
    const record = this.recordOf(event, decision);
    await this.record(record, em);
    return { ...decision, record };
  }

  private recordOf(event: Stripe.Event, decision: Decision): EventRecordInput {
    return {
      eventId: event.id,
      type: event.type,
      livemode: event.livemode,
      outcome: decision.outcome,
      userId: decision.user?.id ?? null,
      reason: decision.reason ?? null,
      ...sessionFields(event),
    };
  }

  private record(row: EventRecordInput, em?: EntityManager): Promise<void> {
    return this.billing.recordEvent(row, em);
  }

  /** One line per event: id, type, customer, amount, user or NOT FOUND, credited yes/no. No secrets. */
  private logLine(
    event: Stripe.Event,
    outcome: EventOutcome,
    user: Pick<User, 'id'> | null,
    reason?: string | null,
  ): void {
    const f = sessionFields(event);
    this.logger.log(
      `stripe event ${shown(event.id)} type=${shown(event.type)} customer=${shown(f.stripeCustomerId ?? '-')} amount=${f.amountCents ?? '-'} ${shown(f.currency ?? '')} ` +
        `user=${user ? user.id : 'NOT FOUND'} credited=${outcome === 'credited' ? 'yes' : 'no'} outcome=${outcome}${reason ? ` (${reason})` : ''}`,
    );
  }
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  return typeof value === 'string' ? value : (value?.id ?? null);
}

function sessionFields(event: Stripe.Event): Partial<EventRecordInput> {
  // Defensive: also called for malformed events, to keep whatever can be read.
  const data = isObject(event) && isObject(event.data) ? event.data : null;
  const raw = data?.object;
  if (!isObject(raw)) return {};
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const cents = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
  const ref = (v: unknown) => text(v) ?? (isObject(v) ? text(v.id) : null);
  if (raw.object === 'charge' || raw.object === 'dispute') {
    return {
      stripeCustomerId: text(raw.customer),
      amountCents: cents(raw.object === 'charge' ? raw.amount_refunded : raw.amount),
      currency: text(raw.currency),
    };
  }
  if (raw.object !== 'checkout.session') return {};
  return {
    stripeCustomerId: ref(raw.customer),
    stripeCheckoutSessionId: text(raw.id),
    amountCents: cents(raw.amount_total),
    currency: text(raw.currency),
  };
}
