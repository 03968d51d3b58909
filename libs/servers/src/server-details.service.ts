import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, CLOCK } from '@ozvps/core';
import { Plan, PlansService } from '@ozvps/plans';
import { User, UsersService } from '@ozvps/users';
import { VirtFusionClient } from '@ozvps/virtfusion';
import { HistoryLine, historyInWords } from './server-history';
import { Server } from './server.entity';
import { ServerStatus } from './server.entity';
import { ServersRepository } from './servers.repository';
import { TemplatesService } from './templates.service';

/** Why a server needs an admin's attention. */
export const CARE_REASONS = ['overdue', 'suspended', 'failed', 'provisioning_stuck', 'waiting'] as const;
export type CareReason = (typeof CARE_REASONS)[number];

/** Provisioning for longer than this, or tried this often, is stuck. */
const STUCK_AFTER_MS = 30 * 60_000;
const STUCK_ATTEMPTS = 3;

/** What the server page shows beyond the row: the plan's specs, OS, addresses, history in words. */
export interface ServerDetails {
  plan: { name: string; vcpu: number; memoryMb: number; diskGb: number; trafficGb: number };
  os: string | null;
  ipv4: string[];
  ipv6: string[];
  nextRenewalAt: string | null;
  history: HistoryLine[];
}

export interface AdminServerRow {
  server: Server;
  owner: Pick<User, 'id' | 'email'>;
  planName: string;
  care: CareReason[];
}

/** Read models of servers for the server page and the admin list. */
@Injectable()
export class ServerDetailsService {
  private readonly logger = new Logger('ServerDetails');

  constructor(
    private readonly repo: ServersRepository,
    private readonly plans: PlansService,
    private readonly users: UsersService,
    private readonly templates: TemplatesService,
    private readonly virtfusion: VirtFusionClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The server page's extras. Addresses and the OS name come from VirtFusion when it answers
   * (else what the panel recorded); the page never fails because VirtFusion is slow.
   */
  async details(server: Server): Promise<ServerDetails> {
    const plan = await this.plans.get({ planId: server.planId });
    const [os, addresses] = await Promise.all([this.osName(server, plan), this.addresses(server)]);
    return {
      plan: {
        name: plan.name,
        vcpu: plan.vcpu,
        memoryMb: plan.memoryMb,
        diskGb: plan.storageGb,
        trafficGb: plan.trafficGb,
      },
      os,
      ...addresses,
      nextRenewalAt:
        ['active', 'suspended'].includes(server.status) && !server.cancelAtPeriodEnd
          ? (server.paidUntil?.toISOString() ?? null)
          : null,
      history: historyInWords(await this.repo.events(server.id), server.userId),
    };
  }

  /** Every server with owner, plan and care reasons; `care`: only those that need care. */
  async adminList(filter: {
    care?: boolean;
    userId?: number;
    status?: ServerStatus;
  }): Promise<AdminServerRow[]> {
    const servers = await this.repo.list({
      userId: filter.userId,
      ...(filter.status ? { statuses: [filter.status] } : {}),
    });
    const plans = new Map((await this.plans.listAll()).map((p) => [p.id, p]));
    const owners = new Map<number, Pick<User, 'id' | 'email'>>();
    // One lookup per distinct owner (the users lib owns its table).
    for (const userId of new Set(servers.map((s) => s.userId))) {
      const u = await this.users.getById(userId);
      owners.set(userId, { id: u.id, email: u.email });
    }
    const now = this.clock.now().getTime();
    const rows = servers.map((s) => ({
      server: s,
      owner: owners.get(s.userId)!,
      planName: plans.get(s.planId)?.name ?? `plan ${s.planId}`,
      care: careOf(s, now),
    }));
    return filter.care ? rows.filter((r) => r.care.length > 0) : rows;
  }

  /** One server for the admin page: the row with owner, plan and care. */
  async adminRow(server: Server): Promise<AdminServerRow> {
    const owner = await this.users.getById(server.userId);
    const plan = await this.plans.get({ planId: server.planId });
    return {
      server,
      owner: { id: owner.id, email: owner.email },
      planName: plan.name,
      care: careOf(server, this.clock.now().getTime()),
    };
  }

  private async osName(server: Server, plan: Plan): Promise<string | null> {
    try {
      const t = (await this.templates.forPlan(plan)).find((x) => x.id === server.osTemplateId);
      return t ? [t.name, t.version, t.variant].filter(Boolean).join(' ') : null;
    } catch (err) {
      this.logger.warn(`server #${server.id}: OS name not read: ${(err as Error).message}`);
      return null;
    }
  }

  private async addresses(server: Server): Promise<{ ipv4: string[]; ipv6: string[] }> {
    const recorded = { ipv4: server.ipAddress ? [server.ipAddress] : [], ipv6: [] as string[] };
    if (server.virtfusionServerId === null || !['active', 'suspended'].includes(server.status))
      return recorded;
    try {
      // Once: the page answers within one timeout even when VirtFusion hangs.
      const vf = await this.virtfusion.getServer(server.virtfusionServerId, { once: true });
      if (!vf) return recorded;
      return { ipv4: vf.ipv4Addresses.length ? vf.ipv4Addresses : recorded.ipv4, ipv6: vf.ipv6 };
    } catch (err) {
      this.logger.warn(`server #${server.id}: addresses not read: ${(err as Error).message}`);
      return recorded;
    }
  }
}

/** The reasons an admin should look at this server now. */
export function careOf(s: Server, now: number): CareReason[] {
  const care: CareReason[] = [];
  if (s.overdueSince !== null) care.push('overdue');
  if (s.status === 'suspended') care.push('suspended');
  if (s.status === 'failed') care.push('failed');
  if (
    s.status === 'provisioning' &&
    ((s.leaseUntil !== null && s.leaseUntil.getTime() < now) ||
      s.attempts > STUCK_ATTEMPTS ||
      now - s.createdAt.getTime() > STUCK_AFTER_MS)
  )
    care.push('provisioning_stuck');
  if (s.status === 'awaiting_funds') care.push('waiting');
  return care;
}
