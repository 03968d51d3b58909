import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { EventOutcome, StripeEventRecord, Topup, TopupStatus, WebhookFailureReason } from './billing.entity';

export type EventRecordInput = Pick<StripeEventRecord, 'eventId' | 'type' | 'livemode' | 'outcome'> &
  Partial<
    Pick<
      StripeEventRecord,
      'stripeCustomerId' | 'stripeCheckoutSessionId' | 'userId' | 'amountCents' | 'currency' | 'reason'
    >
  >;

/** The only code that speaks TypeORM for `topups` and `stripe_events`. */
@Injectable()
export class BillingRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }

  /** The user's top-ups still pending that were opened after `since`. */
  countOpenTopups(userId: number, since: Date): Promise<number> {
    return this.dataSource
      .getRepository(Topup)
      .createQueryBuilder('t')
      .where('t.user_id = :userId AND t.status = :status AND t.created_at > :since', {
        userId,
        status: 'pending',
        since,
      })
      .getCount();
  }

  /**
   * A pending top-up, unless the user already has `max` open since `since` (null then). Counted
   * and inserted under a per-user transaction lock, so requests at once cannot all slip under it.
   */
  async insertTopupIfFewerOpen(
    row: Pick<Topup, 'userId' | 'amountCents' | 'currency'>,
    max: number,
    since: Date,
  ): Promise<Topup | null> {
    return this.dataSource.transaction(async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock(hashtextextended('ozvps.topups.' || $1::text, 0))`, [
        row.userId,
      ]);
      const open = await em
        .getRepository(Topup)
        .createQueryBuilder('t')
        .where('t.user_id = :userId AND t.status = :status AND t.created_at > :since', {
          userId: row.userId,
          status: 'pending',
          since,
        })
        .getCount();
      if (open >= max) return null;
      const repo = em.getRepository(Topup);
      return repo.save(repo.create({ ...row, status: 'pending' }));
    });
  }

  async updateTopup(
    id: number,
    changes: Partial<
      Pick<Topup, 'status' | 'stripeCheckoutSessionId' | 'stripePaymentIntentId' | 'failureReason'>
    >,
    em?: EntityManager,
  ): Promise<void> {
    await (em ?? this.dataSource.manager).getRepository(Topup).update({ id }, changes);
  }

  /** The top-up behind a checkout session, row-locked until the transaction ends. */
  lockTopupBySession(em: EntityManager, sessionId: string): Promise<Topup | null> {
    return em
      .getRepository(Topup)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.stripe_checkout_session_id = :sessionId', { sessionId })
      .getOne();
  }

  /**
   * The webhook's hot path in one statement: the session's top-up, row-locked, and the user who
   * is this Stripe customer.
   */
  async lockTopupForSession(
    em: EntityManager,
    sessionId: string,
    customerId: string | null,
  ): Promise<{ topup: Topup | null; customerUserId: number | null }> {
    const rows: Record<string, unknown>[] = await em.query(
      `SELECT t.id, t.user_id, t.amount_cents, t.currency, t.status, t.stripe_checkout_session_id, t.stripe_payment_intent_id,
              (SELECT u.id FROM users u WHERE u.stripe_customer_id = $2) AS customer_user_id
         FROM topups t
        WHERE t.stripe_checkout_session_id = $1
          FOR UPDATE OF t`,
      [sessionId, customerId],
    );
    // No top-up for this session: the caller's slower fallbacks take over.
    const r = rows[0];
    if (!r) return { topup: null, customerUserId: null };
    const customerUserId = r.customer_user_id === null ? null : Number(r.customer_user_id);
    const topup = em.getRepository(Topup).create({
      id: Number(r.id),
      userId: Number(r.user_id),
      amountCents: Number(r.amount_cents),
      currency: r.currency as string,
      status: r.status as TopupStatus,
      stripeCheckoutSessionId: r.stripe_checkout_session_id as string | null,
      stripePaymentIntentId: r.stripe_payment_intent_id as string | null,
    });
    return { topup, customerUserId };
  }

  /** Marks the top-up credited and records the event, in one round trip. */
  async markCreditedAndRecord(
    em: EntityManager,
    topupId: number,
    sessionId: string,
    paymentIntentId: string | null,
    e: EventRecordInput,
  ): Promise<void> {
    await em.query(
      `WITH credited AS (
         UPDATE topups SET status = 'credited', stripe_checkout_session_id = $2, stripe_payment_intent_id = $3, updated_at = now()
          WHERE id = $1
       )
       INSERT INTO stripe_events (event_id, type, livemode, outcome, stripe_customer_id, stripe_checkout_session_id, user_id, amount_cents, currency, reason)
       VALUES ($4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        topupId,
        sessionId,
        paymentIntentId,
        e.eventId,
        e.type,
        e.livemode,
        e.outcome,
        e.stripeCustomerId ?? null,
        e.stripeCheckoutSessionId ?? null,
        e.userId ?? null,
        e.amountCents ?? null,
        e.currency ?? null,
        e.reason ?? null,
      ],
    );
  }

  lockTopupById(em: EntityManager, id: number): Promise<Topup | null> {
    return em
      .getRepository(Topup)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.id = :id', { id })
      .getOne();
  }

  lockTopupByPaymentIntent(em: EntityManager, paymentIntentId: string): Promise<Topup | null> {
    return em
      .getRepository(Topup)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.stripe_payment_intent_id = :paymentIntentId', { paymentIntentId })
      .getOne();
  }

  findTopupBySession(sessionId: string): Promise<Topup | null> {
    return this.dataSource.getRepository(Topup).findOneBy({ stripeCheckoutSessionId: sessionId });
  }

  /** The top-ups of these checkout sessions, in one query (a list page's waiting deploys). */
  findTopupsBySessions(sessionIds: string[]): Promise<Topup[]> {
    if (sessionIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(Topup).findBy({ stripeCheckoutSessionId: In(sessionIds) });
  }

  findTopupForUser(userId: number, sessionId: string): Promise<Topup | null> {
    return this.dataSource.getRepository(Topup).findOneBy({ userId, stripeCheckoutSessionId: sessionId });
  }

  async recordEvent(row: EventRecordInput, em?: EntityManager): Promise<void> {
    const repo = (em ?? this.dataSource.manager).getRepository(StripeEventRecord);
    await repo.insert(repo.create(row));
  }

  /** Closes a pending top-up (failed or expired); a credited one stays credited. */
  async closeTopup(
    em: EntityManager,
    id: number,
    status: Exclude<TopupStatus, 'pending' | 'credited'>,
    reason: string,
  ): Promise<boolean> {
    const result = await em
      .getRepository(Topup)
      .update({ id, status: 'pending' }, { status, failureReason: reason });
    return (result.affected ?? 0) > 0;
  }

  events(filter: { outcome?: EventOutcome; since?: Date; limit: number }): Promise<StripeEventRecord[]> {
    const qb = this.dataSource
      .getRepository(StripeEventRecord)
      .createQueryBuilder('e')
      .orderBy('e.id', 'DESC')
      .limit(filter.limit);
    if (filter.outcome) qb.andWhere('e.outcome = :outcome', { outcome: filter.outcome });
    if (filter.since) qb.andWhere('e.received_at >= :since', { since: filter.since });
    return qb.getMany();
  }

  async outcomeCountsSince(since: Date): Promise<Partial<Record<EventOutcome, number>>> {
    const rows: { outcome: EventOutcome; n: number }[] = await this.dataSource.query(
      `SELECT outcome, count(*)::int AS n FROM stripe_events WHERE received_at >= $1 GROUP BY outcome ORDER BY outcome`,
      [since],
    );
    return Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
  }

  /** Whether the event was handled to a final outcome (not only failed) at least once. */
  async hasSettledRecord(eventId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM stripe_events WHERE event_id = $1 AND outcome <> 'failed' LIMIT 1`,
      [eventId],
    );
    return rows.length > 0;
  }

  recentEvents(limit: number, outcome?: EventOutcome): Promise<StripeEventRecord[]> {
    return this.dataSource
      .getRepository(StripeEventRecord)
      .find({ where: outcome ? { outcome } : {}, order: { id: 'DESC' }, take: limit });
  }

  /**
   * This installation's id. The migration made the row; the INSERT only covers a schema made by
   * hand, and runs only then (the panel's database role need not be allowed to write this table).
   */
  async installationId(): Promise<string> {
    const read = async () =>
      (
        (await this.dataSource.query(`SELECT id FROM installation ORDER BY created_at, id LIMIT 1`)) as {
          id: string;
        }[]
      )[0]?.id;
    const id = await read();
    if (id) return id;
    await this.dataSource.query(
      `INSERT INTO installation (id) SELECT gen_random_uuid() WHERE NOT EXISTS (SELECT 1 FROM installation)`,
    );
    return (await read())!;
  }

  /**
   * Counts one refused webhook delivery in its hour's counter, and drops counters older than 30
   * days in the same statement: the table stays a few hundred rows whatever an attacker sends.
   */
  async countWebhookFailure(reason: WebhookFailureReason): Promise<void> {
    await this.dataSource.query(
      `WITH pruned AS (DELETE FROM stripe_webhook_failures WHERE hour < now() - interval '30 days')
       INSERT INTO stripe_webhook_failures (hour, reason, count, last_at)
       VALUES (date_trunc('hour', now()), $1, 1, now())
       ON CONFLICT (hour, reason) DO UPDATE
         SET count = stripe_webhook_failures.count + 1, last_at = now()`,
      [reason],
    );
  }

  /** Refused deliveries per reason since `since` (by the hour), and when each reason last happened. */
  async webhookFailuresSince(
    since: Date,
  ): Promise<{ reason: WebhookFailureReason; count: number; lastAt: Date }[]> {
    const rows: { reason: WebhookFailureReason; n: number; last_at: Date }[] = await this.dataSource.query(
      `SELECT reason, sum(count)::int AS n, max(last_at) AS last_at FROM stripe_webhook_failures
        WHERE hour >= date_trunc('hour', $1::timestamptz) GROUP BY reason ORDER BY reason`,
      [since],
    );
    return rows.map((r) => ({ reason: r.reason, count: r.n, lastAt: new Date(r.last_at) }));
  }
}
