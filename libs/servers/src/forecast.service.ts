import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig, Clock, CLOCK, ValidationError } from '@ozvps/core';
import { UsersService } from '@ozvps/users';
import { RenewalsService } from './renewals.service';
import { careOf } from './server-details.service';
import { Server } from './server.entity';
import { ServersRepository } from './servers.repository';

export const FORECAST_MAX_DAYS = 90;
const DAY_MS = 86_400_000;

/** Who and what a forecast line is about, for links to the user and the server. */
export interface ForecastSubject {
  serverId: number;
  hostname: string;
  userId: number;
  email: string;
}

export interface ForecastRenewal extends ForecastSubject {
  at: Date;
  period: number;
  amountCents: number;
  balanceBeforeCents: number;
  earlierRenewalsCents: number;
  covered: boolean;
  shortfallCents: number;
}

export interface ForecastStep extends ForecastSubject {
  at: Date;
  reason: 'overdue' | 'cancelled';
}

/** A wallet that will not cover its renewals in the horizon. */
export interface ForecastShortfall {
  userId: number;
  email: string;
  balanceCents: number;
  dueCents: number;
  shortfallCents: number;
  serverIds: number[];
}

export interface ForecastWaiting extends ForecastSubject {
  status: Server['status'];
  step: Server['step'];
  createdAt: Date;
  priceCents: number;
}

export interface Forecast {
  generatedAt: Date;
  until: Date;
  days: number;
  currency: string;
  totals: { renewals: number; dueCents: number; coveredCents: number; shortfallCents: number };
  renewals: ForecastRenewal[];
  shortfalls: ForecastShortfall[];
  suspensions: ForecastStep[];
  terminations: ForecastStep[];
  waitingDeploys: ForecastWaiting[];
  stuckProvisioning: ForecastWaiting[];
}

/**
 * What happens next: the renewal runs' plan for the next `days` (RenewalsService.plan, the same
 * rules and selection the job applies) with the names an operator reads, plus the deploys waiting
 * for money and the provisioning that is stuck (the admin servers list's own rule, careOf).
 */
@Injectable()
export class ForecastService {
  constructor(
    private readonly renewals: RenewalsService,
    private readonly repo: ServersRepository,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async forecast(days = 7): Promise<Forecast> {
    if (!Number.isInteger(days) || days < 1 || days > FORECAST_MAX_DAYS)
      throw new ValidationError(`days must be a whole number from 1 to ${FORECAST_MAX_DAYS}`);
    const now = this.clock.now();
    const until = new Date(now.getTime() + days * DAY_MS);
    const plan = await this.renewals.plan(until);
    const waiting = (await this.repo.list({ statuses: ['awaiting_funds'] })).reverse();
    const provisioning = (await this.repo.list({ statuses: ['provisioning'] })).filter((s) =>
      careOf(s, now.getTime()).includes('provisioning_stuck'),
    );

    const serverIds = new Set([
      ...plan.renewals.map((r) => r.serverId),
      ...plan.suspensions.map((r) => r.serverId),
      ...plan.terminations.map((r) => r.serverId),
    ]);
    const servers = new Map<number, Server>();
    for (const id of serverIds) {
      const s = await this.repo.findById(id);
      if (s) servers.set(id, s);
    }
    for (const s of [...waiting, ...provisioning]) servers.set(s.id, s);
    const emails = await this.emailsOf([...new Set([...servers.values()].map((s) => s.userId))]);
    const subject = (serverId: number): ForecastSubject => {
      const s = servers.get(serverId)!;
      return { serverId, hostname: s.hostname, userId: s.userId, email: emails.get(s.userId) ?? '' };
    };

    const renewals = plan.renewals.map((r) => ({ ...subject(r.serverId), ...r }));
    const shortfalls = new Map<number, ForecastShortfall>();
    for (const r of renewals.filter((x) => !x.covered)) {
      const w = shortfalls.get(r.userId) ?? {
        userId: r.userId,
        email: r.email,
        balanceCents: r.balanceBeforeCents + r.earlierRenewalsCents,
        dueCents: 0,
        shortfallCents: 0,
        serverIds: [],
      };
      w.dueCents += r.amountCents;
      w.shortfallCents += r.shortfallCents;
      if (!w.serverIds.includes(r.serverId)) w.serverIds.push(r.serverId);
      shortfalls.set(r.userId, w);
    }
    const waitingRow = (s: Server): ForecastWaiting => ({
      ...subject(s.id),
      status: s.status,
      step: s.step,
      createdAt: s.createdAt,
      priceCents: s.priceMonthlyCents,
    });
    const sum = (xs: ForecastRenewal[]) => xs.reduce((n, r) => n + r.amountCents, 0);
    return {
      generatedAt: now,
      until,
      days,
      currency: this.config.walletCurrency,
      totals: {
        renewals: renewals.length,
        dueCents: sum(renewals),
        coveredCents: sum(renewals.filter((r) => r.covered)),
        shortfallCents: renewals.reduce((n, r) => n + r.shortfallCents, 0),
      },
      renewals,
      shortfalls: [...shortfalls.values()],
      suspensions: plan.suspensions.map((r) => ({ ...subject(r.serverId), ...r })),
      terminations: plan.terminations.map((r) => ({ ...subject(r.serverId), ...r })),
      waitingDeploys: waiting.map(waitingRow),
      stuckProvisioning: provisioning.map(waitingRow),
    };
  }

  private async emailsOf(ids: number[]): Promise<Map<number, string>> {
    const emails = new Map<number, string>();
    for (const id of ids) emails.set(id, (await this.users.getById(id)).email);
    return emails;
  }
}
