import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { addMonths, Clock, CLOCK, formatCents } from '@ozvps/core';
import type { SaleDetails } from '@ozvps/invoices';
import { WalletService, WrittenTransaction } from '@ozvps/wallet';
import { Server } from './server.entity';
import { ServersRepository } from './servers.repository';

/**
 * A server's money, in one place: one `server_charge` per server per period and one refund of the
 * first month, each keyed so that the ledger itself refuses a second one. Always inside the
 * caller's transaction, with the server row's change.
 */
@Injectable()
export class ServerLedger {
  constructor(
    private readonly wallet: WalletService,
    private readonly repo: ServersRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Charges period `period` (1 = the first month); InsufficientFundsError when the wallet is short.
   * Returns the balance after the charge.
   */
  async chargePeriod(
    em: EntityManager,
    s: Pick<Server, 'id' | 'userId'>,
    period: number,
    amountCents: number,
    actor: string,
    reason: string,
    sale?: SaleDetails,
  ): Promise<WrittenTransaction> {
    return this.wallet.debit(
      {
        userId: s.userId,
        amountCents,
        type: 'server_charge',
        actor,
        reason,
        idempotencyKey: `server-charge:${s.id}:${period}`,
        sale,
      },
      em,
    );
  }

  /**
   * Charges the renewal due at `s.paidUntil` at the server's own price (never the plan's current
   * one). A reprice scheduled for this renewal or an earlier one takes effect here: the row's
   * price switches and the server's history says so (and stands when the wallet is short: the
   * renewal is then due at the new price, in `s.priceMonthlyCents`). Returns the price charged and
   * the balance after it.
   */
  async chargeRenewal(
    em: EntityManager,
    s: Server,
    period: number,
    reason: string,
    sale: { plan: string; periodTo: Date },
  ): Promise<{ priceCents: number; balanceCents: number; documentNumber: string | null }> {
    const periodFrom = s.paidUntil!;
    if (s.nextPriceCents !== null && s.nextPriceFrom !== null && s.nextPriceFrom <= s.paidUntil!) {
      const before = s.priceMonthlyCents;
      s.priceMonthlyCents = s.nextPriceCents;
      s.nextPriceCents = null;
      s.nextPriceFrom = null;
      await this.repo.update(
        s.id,
        { priceMonthlyCents: s.priceMonthlyCents, nextPriceCents: null, nextPriceFrom: null },
        em,
      );
      await this.repo.event(
        s.id,
        'repriced',
        'system',
        `${formatCents(before, s.currency)} → ${formatCents(s.priceMonthlyCents, s.currency)} a month from this renewal`,
        em,
      );
    }
    const row = await this.chargePeriod(em, s, period, s.priceMonthlyCents, 'system', reason, {
      items: [saleItem(s, sale.plan, `Renewal of server ${s.hostname}`, periodFrom, sale.periodTo)],
    });
    return {
      priceCents: s.priceMonthlyCents,
      balanceCents: row.balanceAfterCents,
      documentNumber: row.documentNumber,
    };
  }

  /** The deploy's first month at the price the server was ordered at, and its event. */
  async chargeFirstMonth(em: EntityManager, s: Server, planName: string, actor: string): Promise<void> {
    // The month runs from the server's activation; the document shows the month from the charge.
    const from = this.clock.now();
    await this.chargePeriod(
      em,
      s,
      1,
      s.priceMonthlyCents,
      actor,
      `${planName}: first month (server #${s.id}, ${s.hostname})`,
      { items: [saleItem(s, planName, `Server ${s.hostname}: first month`, from, addMonths(from, 1))] },
    );
    await this.repo.event(
      s.id,
      'charged',
      actor,
      `first month ${formatCents(s.priceMonthlyCents, s.currency)}`,
      em,
    );
  }

  /** The first month back to the wallet (a deploy that could not be provisioned), and its event. */
  async refundFirstMonth(em: EntityManager, s: Server): Promise<void> {
    await this.wallet.credit(
      {
        userId: s.userId,
        amountCents: s.priceMonthlyCents,
        type: 'server_refund',
        actor: 'system',
        reason: `Refund: server #${s.id} (${s.hostname}) could not be provisioned`,
        idempotencyKey: `server-refund:${s.id}:1`,
        sale: { refersToLedgerKey: `server-charge:${s.id}:1` },
      },
      em,
    );
    await this.repo.event(
      s.id,
      'refunded',
      'system',
      `${formatCents(s.priceMonthlyCents, s.currency)} back to the wallet`,
      em,
    );
  }
}

function saleItem(
  s: Pick<Server, 'hostname' | 'priceMonthlyCents'>,
  plan: string,
  description: string,
  from: Date,
  to: Date,
) {
  return {
    description,
    hostname: s.hostname,
    plan,
    periodFrom: from.toISOString().slice(0, 10),
    periodTo: to.toISOString().slice(0, 10),
    amountCents: s.priceMonthlyCents,
  };
}
