import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@ozvps/core';
import { MailDataByKind, Outbox } from '@ozvps/notifications';
import { PlansService } from '@ozvps/plans';
import { UsersService } from '@ozvps/users';
import { suspendsAt, terminatesAt } from './renewal-rules';
import { Server } from './server.entity';
import { TemplatesService } from './templates.service';

/** What the wallet lacks to pay `amountCents` (never negative; a negative balance counts in full). */
export function shortfall(amountCents: number, balanceCents: number): number {
  return Math.max(amountCents - balanceCents, 0);
}

/**
 * The messages a server's owner gets, each written into the outbox inside the caller's
 * transaction (the one that records the change) under a key that makes a second write a no-op.
 * The recipient is read in that transaction too, so the message and the change agree.
 */
@Injectable()
export class ServerMail {
  constructor(
    private readonly outbox: Outbox,
    private readonly users: UsersService,
    private readonly plans: PlansService,
    private readonly templates: TemplatesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The OS template's name, asked of VirtFusion (cached) before the transaction; null if it cannot say. */
  async osNameOf(s: Server): Promise<string | null> {
    try {
      const plan = await this.plans.get({ planId: s.planId });
      const t = (await this.templates.forPlan(plan)).find((x) => x.id === s.osTemplateId);
      return t ? [t.name, t.version, t.variant].filter(Boolean).join(' ') : null;
    } catch {
      return null;
    }
  }

  /** `sshKeyNames`: the keys installed at the build (how the owner logs in). */
  async serverReady(
    em: EntityManager,
    s: Server,
    ip: string | null,
    osName: string | null,
    sshKeyNames: readonly string[],
  ): Promise<void> {
    await this.send(em, s, `server-ready:${s.id}`, {
      kind: 'server-ready',
      data: { serverId: s.id, hostname: s.hostname, ips: ip ? [ip] : [], osName, sshKeyNames },
    });
  }

  /** `period`: the renewal it is about (periodsPaid + 1). */
  async renewalReminder(
    em: EntityManager,
    s: Server,
    period: number,
    d: { priceCents: number; balanceCents: number; shortfallCents: number; earlierRenewalsCents: number },
  ): Promise<boolean> {
    return this.send(em, s, `renewal-reminder:${s.id}:${period}`, {
      kind: 'renewal-reminder',
      data: {
        serverId: s.id,
        hostname: s.hostname,
        renewsAt: s.paidUntil!,
        graceHours: this.config.renewals.graceHours,
        ...d,
      },
    });
  }

  async renewalCharged(
    em: EntityManager,
    s: Server,
    period: number,
    d: {
      amountCents: number;
      periodFrom: Date;
      periodTo: Date;
      balanceCents: number;
      documentNumber: string | null;
    },
  ): Promise<void> {
    await this.send(em, s, `renewal-charged:${s.id}:${period}`, {
      kind: 'renewal-charged',
      data: { serverId: s.id, hostname: s.hostname, ...d },
    });
  }

  /** The renewal due at `s.paidUntil` found the wallet short (`s.priceMonthlyCents` is what it charges). */
  async renewalFailed(
    em: EntityManager,
    s: Server,
    period: number,
    balanceCents: number,
    now: Date,
  ): Promise<void> {
    const dueAt = s.paidUntil!;
    await this.send(em, s, `renewal-failed:${s.id}:${period}`, {
      kind: 'renewal-failed',
      data: {
        serverId: s.id,
        hostname: s.hostname,
        amountCents: s.priceMonthlyCents,
        balanceCents,
        shortfallCents: shortfall(s.priceMonthlyCents, balanceCents),
        dueAt,
        graceEndsAt: suspendsAt(dueAt, this.config.renewals),
        writtenAt: now,
      },
    });
  }

  /** Overdue: `balanceCents` says what is missing; admin: the customer is sent to support. */
  async suspended(
    em: EntityManager,
    s: Server,
    suspendedAt: Date,
    reason: 'overdue' | 'admin',
    balanceCents = 0,
  ): Promise<void> {
    const key = `suspended:${s.id}:${suspendedAt.getTime()}`;
    const base = { serverId: s.id, hostname: s.hostname };
    await this.send(
      em,
      s,
      key,
      reason === 'admin'
        ? { kind: 'suspended', data: { ...base, reason } }
        : {
            kind: 'suspended',
            data: {
              ...base,
              reason,
              amountDueCents: s.priceMonthlyCents,
              shortfallCents: shortfall(s.priceMonthlyCents, balanceCents),
              terminatesAt: this.terminatesAt(suspendedAt),
            },
          },
    );
  }

  async finalWarning(em: EntityManager, s: Server, balanceCents: number): Promise<boolean> {
    return this.send(em, s, `final-warning:${s.id}:${s.suspendedAt!.getTime()}`, {
      kind: 'final-warning',
      data: {
        serverId: s.id,
        hostname: s.hostname,
        amountDueCents: s.priceMonthlyCents,
        shortfallCents: shortfall(s.priceMonthlyCents, balanceCents),
        terminatesAt: this.terminatesAt(s.suspendedAt!),
      },
    });
  }

  async terminated(em: EntityManager, s: Server, reason: 'overdue' | 'admin' | 'cancelled'): Promise<void> {
    await this.send(em, s, `terminated:${s.id}`, {
      kind: 'terminated',
      data: { serverId: s.id, hostname: s.hostname, reason },
    });
  }

  async priceChange(
    em: EntityManager,
    s: Pick<Server, 'id' | 'userId' | 'hostname'>,
    d: { oldCents: number; newCents: number; from: Date },
  ): Promise<void> {
    await this.send(em, s, `price-change:${s.id}:${d.from.toISOString().slice(0, 10)}:${d.newCents}`, {
      kind: 'price-change',
      data: { serverId: s.id, hostname: s.hostname, ...d },
    });
  }

  /** The scheduled change (to `cancelledCents` from `from`) is called off: the server keeps `keptCents`. */
  async priceChangeCancelled(
    em: EntityManager,
    s: Pick<Server, 'id' | 'userId' | 'hostname'>,
    d: { keptCents: number; cancelledCents: number; from: Date },
  ): Promise<void> {
    const day = d.from.toISOString().slice(0, 10);
    await this.send(em, s, `price-change-cancelled:${s.id}:${day}:${d.cancelledCents}`, {
      kind: 'price-change',
      data: {
        serverId: s.id,
        hostname: s.hostname,
        oldCents: d.keptCents,
        newCents: d.cancelledCents,
        from: d.from,
        cancelled: true,
      },
    });
  }

  /** When a server suspended for non-payment at `suspendedAt` is deleted. */
  terminatesAt(suspendedAt: Date): Date {
    return terminatesAt(suspendedAt, this.config.renewals);
  }

  private async send(
    em: EntityManager,
    s: Pick<Server, 'userId'>,
    dedupeKey: string,
    msg: ServerMessage,
  ): Promise<boolean> {
    const user = await this.users.getById(s.userId, em);
    return this.outbox.enqueue(em, {
      ...msg,
      to: user.email,
      userId: user.id,
      receiptsEmail: user.receiptsEmail,
      dedupeKey,
    });
  }
}

type MailData<K extends keyof MailDataByKind> = MailDataByKind[K];
type ServerMessage =
  | { kind: 'server-ready'; data: MailData<'server-ready'> }
  | { kind: 'renewal-reminder'; data: MailData<'renewal-reminder'> }
  | { kind: 'renewal-charged'; data: MailData<'renewal-charged'> }
  | { kind: 'renewal-failed'; data: MailData<'renewal-failed'> }
  | { kind: 'suspended'; data: MailData<'suspended'> }
  | { kind: 'final-warning'; data: MailData<'final-warning'> }
  | { kind: 'terminated'; data: MailData<'terminated'> }
  | { kind: 'price-change'; data: MailData<'price-change'> };
