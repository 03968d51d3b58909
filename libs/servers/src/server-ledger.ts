import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { formatCents } from '@ozvps/core';
import { WalletService } from '@ozvps/wallet';
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
  ) {}

  /** Charges period `period` (1 = the first month); InsufficientFundsError when the wallet is short. */
  async chargePeriod(
    em: EntityManager,
    s: Pick<Server, 'id' | 'userId'>,
    period: number,
    amountCents: number,
    actor: string,
    reason: string,
  ): Promise<void> {
    await this.wallet.debit(
      {
        userId: s.userId,
        amountCents,
        type: 'server_charge',
        actor,
        reason,
        idempotencyKey: `server-charge:${s.id}:${period}`,
      },
      em,
    );
  }

  /** The deploy's first month at the price the server was ordered at, and its event. */
  async chargeFirstMonth(em: EntityManager, s: Server, planName: string, actor: string): Promise<void> {
    await this.chargePeriod(
      em,
      s,
      1,
      s.priceMonthlyCents,
      actor,
      `${planName}: first month (server #${s.id}, ${s.hostname})`,
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
