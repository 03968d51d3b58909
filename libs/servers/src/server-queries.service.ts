import { Injectable } from '@nestjs/common';
import type { WalletCoverage } from '@ozvps/contracts';
import { TopupsService } from '@ozvps/billing';
import { ServerNotFoundError } from './errors';
import { Server, ServerEvent } from './server.entity';
import { ServersRepository } from './servers.repository';
import { walletCoverage } from './wallet-coverage';

/** The payment a "Top up & deploy" waits for (checkoutUrl only while it still waits). */
export interface ServerTopup {
  amountCents: number;
  status: 'pending' | 'credited' | 'failed' | 'expired';
  checkoutUrl: string | null;
}

/** Reading servers, their events and the top-ups that pay for waiting deploys; writes nothing. */
@Injectable()
export class ServerQueriesService {
  constructor(
    private readonly repo: ServersRepository,
    private readonly topups: TopupsService,
  ) {}

  /** One user's servers, newest first. */
  listForUser(userId: number): Promise<Server[]> {
    return this.repo.list({ userId });
  }

  listAll(filter: { userId?: number } = {}): Promise<Server[]> {
    return this.repo.list(filter);
  }

  /** A server; with `ownerId`, only if it is theirs (someone else's is "not found", never "forbidden"). */
  async get(id: number, ownerId?: number): Promise<Server> {
    const server = Number.isSafeInteger(id) && id > 0 ? await this.repo.findById(id) : null;
    if (!server || (ownerId !== undefined && server.userId !== ownerId)) throw new ServerNotFoundError(id);
    return server;
  }

  events(serverId: number): Promise<ServerEvent[]> {
    return this.repo.events(serverId);
  }

  /** How far `balanceCents` pays this user's renewals (the wallet page's "covers until"). */
  async coverage(userId: number, balanceCents: number, now: Date): Promise<WalletCoverage> {
    return walletCoverage(
      balanceCents,
      await this.repo.list({ userId, statuses: ['active', 'suspended'] }),
      now,
    );
  }

  /** Servers the user has running or suspended (what the wallet page counts). */
  countActive(userId: number): Promise<number> {
    return this.repo.count({ userId, statuses: ['active', 'suspended'] });
  }

  /** The top-up a deploy was opened with, as its owner may see it (null: it had none). */
  async topupOf(server: Server): Promise<ServerTopup | null> {
    return (await this.topupsOf([server])).get(server.id) ?? null;
  }

  /** The same for a list of servers, in one query. */
  async topupsOf(servers: Server[]): Promise<Map<number, ServerTopup>> {
    const sessions = servers.map((s) => s.topupSessionId).filter((id): id is string => id !== null);
    const topups = await this.topups.findBySessions(sessions);
    const result = new Map<number, ServerTopup>();
    for (const s of servers) {
      const topup = s.topupSessionId ? topups.get(s.topupSessionId) : undefined;
      if (!topup) continue;
      result.set(s.id, {
        amountCents: topup.amountCents,
        status: topup.status,
        // A paid (or closed) checkout cannot be paid again: no dead Pay now.
        checkoutUrl: s.status === 'awaiting_funds' && topup.status === 'pending' ? s.topupCheckoutUrl : null,
      });
    }
    return result;
  }

  /** The deploy a user's top-up checkout was opened for, if any. */
  findByTopupSession(userId: number, sessionId: string): Promise<Server | null> {
    return this.repo.findByTopupSession(sessionId, userId);
  }
}
