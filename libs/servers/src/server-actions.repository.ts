import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, MoreThanOrEqual } from 'typeorm';
import { ActionKind, ActionStatus, ServerAction } from './server-action.entity';

/** The only code that speaks SQL for `server_actions`. */
@Injectable()
export class ServerActionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }

  /** Inserts a running action; the partial unique index refuses a second running one per server. */
  async start(
    em: EntityManager,
    row: { serverId: number; kind: ActionKind; actor: string; startedAt: Date },
  ): Promise<ServerAction> {
    const repo = em.getRepository(ServerAction);
    return repo.save(repo.create({ ...row, status: 'running' }));
  }

  running(serverId: number, em: EntityManager = this.dataSource.manager): Promise<ServerAction | null> {
    return em.getRepository(ServerAction).findOneBy({ serverId, status: 'running' });
  }

  /** Every action still running, oldest first (what the scheduler settles). */
  allRunning(): Promise<ServerAction[]> {
    return this.dataSource
      .getRepository(ServerAction)
      .find({ where: { status: 'running' }, order: { id: 'ASC' } });
  }

  /** The newest action of each of these servers. */
  async latestOf(serverIds: number[]): Promise<Map<number, ServerAction>> {
    const found = await Promise.all(serverIds.map((id) => this.latest(id)));
    return new Map(found.filter((a): a is ServerAction => a !== null).map((a) => [a.serverId, a]));
  }

  latest(serverId: number): Promise<ServerAction | null> {
    return this.dataSource
      .getRepository(ServerAction)
      .findOne({ where: { serverId }, order: { id: 'DESC' } });
  }

  findById(id: number): Promise<ServerAction | null> {
    return this.dataSource.getRepository(ServerAction).findOneBy({ id });
  }

  countSince(em: EntityManager, serverId: number, since: Date): Promise<number> {
    return em.getRepository(ServerAction).count({ where: { serverId, startedAt: MoreThanOrEqual(since) } });
  }

  async setQueueId(id: number, queueId: number | null): Promise<void> {
    await this.dataSource.getRepository(ServerAction).update({ id }, { queueId });
  }

  /**
   * Ends a running action (only once: a concurrent settle that got there first wins). Returns
   * the ended row, or null when it had already ended.
   */
  async finish(
    em: EntityManager,
    id: number,
    status: Exclude<ActionStatus, 'running'>,
    message: string | null,
    at: Date,
  ): Promise<ServerAction | null> {
    const result = await em
      .getRepository(ServerAction)
      .createQueryBuilder()
      .update()
      .set({ status, message: message?.slice(0, 500) ?? null, finishedAt: at })
      .where('id = :id AND status = :running', { id, running: 'running' })
      .returning('*')
      .execute();
    return result.affected ? await em.getRepository(ServerAction).findOneBy({ id }) : null;
  }
}
