import { Inject, Injectable } from '@nestjs/common';
import { AuditTrail, Clock, CLOCK } from '@ozvps/core';
import { VirtFusionClient } from '@ozvps/virtfusion';
import { ServerStateError } from './errors';
import { Server } from './server.entity';
import { ServerMail } from './server-mail';
import { ServerQueriesService } from './server-queries.service';
import { ServersRepository } from './servers.repository';

/** An admin's suspend and unsuspend of a server, in VirtFusion and then in the panel. */
@Injectable()
export class ServerAdminService {
  constructor(
    private readonly repo: ServersRepository,
    private readonly queries: ServerQueriesService,
    private readonly virtfusion: VirtFusionClient,
    private readonly mail: ServerMail,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * An admin suspends an active server in VirtFusion (it stays suspended until an admin
   * unsuspends it); `reason`, when given, is kept in its event for the other admins.
   */
  async suspendByAdmin(id: number, actor: string, reason?: string): Promise<Server> {
    const s = await this.queries.get(id);
    if (s.status === 'suspended') return s;
    if (s.status !== 'active' || s.virtfusionServerId === null)
      throw new ServerStateError(`Server ${id} is ${s.status}; only an active server can be suspended`);
    await this.virtfusion.suspendServer(s.virtfusionServerId);
    await this.repo.transaction(async (em) => {
      const at = this.clock.now();
      await this.repo.update(id, { status: 'suspended', suspendedAt: at, suspendReason: 'admin' }, em);
      await this.repo.event(
        id,
        'suspended',
        actor,
        reason?.trim() ? `suspended by an admin: ${reason.trim()}` : 'suspended by an admin',
        em,
      );
      await AuditTrail.record(em, {
        actor,
        action: 'servers.suspend',
        target: { type: 'server', id },
        before: { status: s.status },
        after: { status: 'suspended' },
        reason: reason ?? null,
      });
      await this.mail.suspended(em, s, at, 'admin');
    });
    return this.queries.get(id);
  }

  /** An admin unsuspends a suspended server (overdue or not: the admin decides). */
  async unsuspendByAdmin(id: number, actor: string): Promise<Server> {
    const s = await this.queries.get(id);
    if (s.status === 'active') return s;
    if (s.status !== 'suspended' || s.virtfusionServerId === null)
      throw new ServerStateError(`Server ${id} is ${s.status}; only a suspended server can be unsuspended`);
    await this.virtfusion.unsuspendServer(s.virtfusionServerId);
    await this.repo.transaction(async (em) => {
      await this.repo.update(id, { status: 'active', suspendedAt: null, suspendReason: null }, em);
      await this.repo.event(
        id,
        'unsuspended',
        actor,
        s.overdueSince ? 'unsuspended by an admin while a renewal is unpaid' : 'unsuspended by an admin',
        em,
      );
      await AuditTrail.record(em, {
        actor,
        action: 'servers.unsuspend',
        target: { type: 'server', id },
        before: { status: s.status },
        after: { status: 'active' },
      });
    });
    return this.queries.get(id);
  }
}
