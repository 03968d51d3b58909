import { Inject, Injectable } from '@nestjs/common';
import { AuditTrail, Clock, CLOCK } from '@ozvps/core';
import { ServerNotFoundError, ServerNotReadyError, ServerStateError } from './errors';
import { Server } from './server.entity';
import { ServersRepository } from './servers.repository';

/**
 * "Cancel at the end of the paid period": no more renewals, the server is terminated when
 * `paid_until` passes (RenewalsService), no refund; "keep it" undoes it until then.
 */
@Injectable()
export class ServerCancellationService {
  constructor(
    private readonly repo: ServersRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Marks the server to end at paid_until; again: the same answer. `ownerId`: only their own. */
  cancelAtPeriodEnd(id: number, actor: string, ownerId?: number): Promise<Server> {
    return this.set(id, true, actor, ownerId);
  }

  /** Undoes a cancellation before the paid period ends. */
  keep(id: number, actor: string, ownerId?: number): Promise<Server> {
    return this.set(id, false, actor, ownerId);
  }

  private async set(id: number, cancel: boolean, actor: string, ownerId?: number): Promise<Server> {
    const changed = await this.repo.transaction(async (em) => {
      const s = Number.isSafeInteger(id) && id > 0 ? await this.repo.lock(em, id) : null;
      if (!s || (ownerId !== undefined && s.userId !== ownerId)) throw new ServerNotFoundError(id);
      if (s.status !== 'active' && s.status !== 'suspended') throw new ServerNotReadyError(s.status);
      if (s.cancelAtPeriodEnd === cancel) return s;
      // Overdue (the paid period already ended, the renewal unpaid): a cancel would delete it at the
      // next renewal run, skipping the suspension days in which a top-up brings it back.
      if (cancel && s.paidUntil !== null && s.paidUntil <= this.clock.now())
        throw new ServerStateError(
          "This server's renewal is unpaid, so there is no paid period to end it at: top up to keep it, or leave it unpaid and it is suspended and later deleted by itself",
        );
      if (!cancel && s.paidUntil !== null && s.paidUntil <= this.clock.now())
        throw new ServerStateError('The paid period has ended: this server is being terminated');
      await this.repo.update(s.id, { cancelAtPeriodEnd: cancel }, em);
      const until = s.paidUntil?.toISOString() ?? 'the end of the paid period';
      await this.repo.event(
        s.id,
        cancel ? 'cancel_at_period_end' : 'kept',
        actor,
        cancel ? `ends on ${until}; no further renewals` : `renews on ${until} as usual`,
        em,
      );
      await AuditTrail.recordIfStaff(em, {
        actor,
        action: cancel ? 'servers.cancel-at-period-end' : 'servers.keep',
        target: { type: 'server', id: s.id },
        before: { cancelAtPeriodEnd: s.cancelAtPeriodEnd },
        after: { cancelAtPeriodEnd: cancel },
      });
      return s;
    });
    return (await this.repo.findById(changed.id))!;
  }
}
