import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EventOutcome, StripeEventRecord, Topup, TopupStatus } from './billing.entity';

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

  async insertTopup(row: Pick<Topup, 'userId' | 'amountCents' | 'currency'>): Promise<Topup> {
    const repo = this.dataSource.getRepository(Topup);
    return repo.save(repo.create({ ...row, status: 'pending' }));
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

  recentEvents(limit: number, outcome?: EventOutcome): Promise<StripeEventRecord[]> {
    return this.dataSource
      .getRepository(StripeEventRecord)
      .find({ where: outcome ? { outcome } : {}, order: { id: 'DESC' }, take: limit });
  }
}
