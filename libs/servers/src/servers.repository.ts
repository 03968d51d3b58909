import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Pool, PoolClient, PoolConfig } from 'pg';
import { DataSource, EntityManager, FindOptionsWhere, In, IsNull, LessThanOrEqual } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { Server, ServerEvent, ServerStatus, VirtFusionAccount } from './server.entity';

export type NewServer = Pick<
  Server,
  | 'userId'
  | 'planId'
  | 'status'
  | 'hostname'
  | 'osTemplateId'
  | 'idempotencyKey'
  | 'priceMonthlyCents'
  | 'currency'
  | 'periodsPaid'
  | 'leaseUntil'
> &
  Partial<Pick<Server, 'cancelTokenHash' | 'sshKeyIds'>>;

export type ServerChanges = Partial<
  Omit<Server, 'id' | 'userId' | 'createdAt' | 'updatedAt' | 'user' | 'plan'>
>;

export interface ServerFilter {
  userId?: number;
  planId?: number;
  statuses?: ServerStatus[];
}

function whereOf(filter: ServerFilter): FindOptionsWhere<Server> {
  return {
    ...(filter.userId === undefined ? {} : { userId: filter.userId }),
    ...(filter.planId === undefined ? {} : { planId: filter.planId }),
    ...(filter.statuses ? { status: In(filter.statuses) } : {}),
  };
}

/** Advisory-lock namespace for "one provisioning conversation with VirtFusion per user at a time". */
const USER_PROVISIONING_LOCK = 0x0f5e7e75;
/** Connections for held user locks: how many users' deploys may talk to VirtFusion at once per process. */
const USER_LOCK_CONNECTIONS = 4;
/** How long to wait for one of them before saying the panel is busy. */
const USER_LOCK_CONNECT_MS = 2_000;

/** A held per-user lock; release it exactly once (a second call does nothing). */
export interface UserLock {
  release(): Promise<void>;
}

/** The only code that speaks SQL for `servers`, `server_events` and `virtfusion_accounts`. */
@Injectable()
export class ServersRepository implements OnModuleDestroy {
  private locks?: Pool;

  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }

  async insert(em: EntityManager, row: NewServer): Promise<Server> {
    const repo = em.getRepository(Server);
    return repo.save(repo.create(row));
  }

  findById(id: number, em: EntityManager = this.dataSource.manager): Promise<Server | null> {
    return em.getRepository(Server).findOneBy({ id });
  }

  /** The row, locked until the transaction ends. */
  lock(em: EntityManager, id: number): Promise<Server | null> {
    return em
      .getRepository(Server)
      .createQueryBuilder('s')
      .setLock('pessimistic_write')
      .where('s.id = :id', { id })
      .getOne();
  }

  /** A plan's servers in these statuses, locked until the transaction ends, in id order. */
  lockForPlan(em: EntityManager, planId: number, statuses: ServerStatus[]): Promise<Server[]> {
    return em
      .getRepository(Server)
      .createQueryBuilder('s')
      .setLock('pessimistic_write')
      .where('s.plan_id = :planId AND s.status IN (:...statuses)', { planId, statuses })
      .orderBy('s.id', 'ASC')
      .getMany();
  }

  findByKey(userId: number, idempotencyKey: string): Promise<Server | null> {
    return this.dataSource.getRepository(Server).findOneBy({ userId, idempotencyKey });
  }

  /** Newest first; `userId` undefined: everyone's. */
  list(filter: ServerFilter = {}): Promise<Server[]> {
    return this.dataSource.getRepository(Server).find({ where: whereOf(filter), order: { id: 'DESC' } });
  }

  count(filter: ServerFilter = {}): Promise<number> {
    return this.dataSource.getRepository(Server).count({ where: whereOf(filter) });
  }

  async update(
    id: number,
    changes: ServerChanges,
    em: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await em.getRepository(Server).update({ id }, changes);
  }

  /**
   * Takes the provisioning lease if nobody holds it (or a crashed holder's ran out). Returns
   * whether this caller now owns the row until `until`.
   */
  async claimLease(id: number, now: Date, until: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `UPDATE servers SET lease_until = $2, attempts = attempts + 1, updated_at = now()
        WHERE id = $1 AND status = 'provisioning' AND (lease_until IS NULL OR lease_until <= $3)
        RETURNING id`,
      [id, until, now],
    );
    return rows.length > 0;
  }

  /** Provisioning rows whose lease ran out (a crash, or a wait for VirtFusion that is over). */
  async stalledProvisioning(now: Date): Promise<number[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM servers WHERE status = 'provisioning' AND (lease_until IS NULL OR lease_until <= $1) ORDER BY id`,
      [now],
    );
    return rows.map((r) => Number(r.id));
  }

  /**
   * Active or suspended servers whose paid period ends by `until`, earliest first: the ones a
   * renewal run at `until` looks at (RenewalsService.run with until = now; the forecast with its
   * horizon).
   */
  renewable(until: Date, userId?: number): Promise<Server[]> {
    return this.dataSource.getRepository(Server).find({
      where: {
        status: In(['active', 'suspended']),
        paidUntil: LessThanOrEqual(until),
        ...(userId ? { userId } : {}),
      },
      order: { paidUntil: 'ASC', id: 'ASC' },
    });
  }

  /** Servers with a renewal after `now` and up to `until`, not overdue: by owner, then renewal date. */
  renewingWithin(now: Date, until: Date, userId?: number): Promise<Server[]> {
    return (
      this.dataSource
        .getRepository(Server)
        .createQueryBuilder('s')
        .where(`s.status IN ('active', 'suspended')`)
        .andWhere('s.overdue_since IS NULL')
        // A server cancelled at the end of its period will not renew: nothing to remind of.
        .andWhere('s.cancel_at_period_end = FALSE')
        .andWhere('s.paid_until > :now AND s.paid_until <= :until', { now, until })
        .andWhere(userId ? 's.user_id = :userId' : 'TRUE', { userId })
        .orderBy('s.user_id', 'ASC')
        .addOrderBy('s.paid_until', 'ASC')
        .addOrderBy('s.id', 'ASC')
        .getMany()
    );
  }

  /** Servers suspended for non-payment whose renewal has since been paid (the unsuspend still to do). */
  async paidButSuspended(userId?: number): Promise<number[]> {
    const rows = await this.dataSource.getRepository(Server).find({
      select: { id: true },
      where: {
        status: 'suspended',
        suspendReason: 'overdue',
        overdueSince: IsNull(),
        ...(userId ? { userId } : {}),
      },
    });
    return rows.map((r) => r.id);
  }

  /** Deploys waiting for their top-up, oldest first. */
  awaitingFunds(): Promise<Server[]> {
    return this.dataSource
      .getRepository(Server)
      .find({ where: { status: 'awaiting_funds' }, order: { id: 'ASC' } });
  }

  /** The deploy a top-up checkout was opened for (any status), if any. */
  findByTopupSession(sessionId: string, userId?: number): Promise<Server | null> {
    return this.dataSource
      .getRepository(Server)
      .findOneBy({ topupSessionId: sessionId, ...(userId === undefined ? {} : { userId }) });
  }

  /** Servers (any status) holding these VirtFusion ids. */
  async claimedVirtFusionIds(ids: number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await this.dataSource
      .getRepository(Server)
      .find({ select: { virtfusionServerId: true }, where: { virtfusionServerId: In(ids) } });
    return new Set(rows.map((r) => r.virtfusionServerId!));
  }

  async event(
    serverId: number,
    type: string,
    actor: string,
    detail: string | null = null,
    em: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await em
      .getRepository(ServerEvent)
      .insert({ serverId, type, actor, detail: detail?.slice(0, 1000) ?? null });
  }

  events(serverId: number): Promise<ServerEvent[]> {
    return this.dataSource.getRepository(ServerEvent).find({ where: { serverId }, order: { id: 'ASC' } });
  }

  async virtFusionUserId(userId: number): Promise<number | null> {
    const row = await this.dataSource.getRepository(VirtFusionAccount).findOneBy({ userId });
    return row?.virtfusionUserId ?? null;
  }

  /** Records the link; a concurrent first deploy that linked the same user first wins, same answer. */
  async linkVirtFusionUser(userId: number, virtfusionUserId: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO virtfusion_accounts (user_id, virtfusion_user_id) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`,
      [userId, virtfusionUserId],
    );
  }

  /**
   * Tries, without waiting, to take the per-user advisory lock under which one user's "list
   * servers, create, find out what a lost answer did" conversations run (never interleaved, in
   * this process or another). The lock is a session lock, so it lives on a connection of its own,
   * from a small pool kept apart from the panel's: a lock holder's own queries, and everyone
   * else's pages, never wait behind lock holders. 'busy': another conversation of this user holds
   * it; 'no_connection': the lock pool is fully taken (many users deploying at once).
   */
  async tryUserLock(userId: number): Promise<UserLock | 'busy' | 'no_connection'> {
    let client: PoolClient;
    try {
      client = await this.lockPool().connect();
    } catch (err) {
      if (/timeout/i.test((err as Error).message)) return 'no_connection';
      throw err;
    }
    try {
      const rows: { locked: boolean }[] = (
        await client.query('SELECT pg_try_advisory_lock($1, $2) AS locked', [USER_PROVISIONING_LOCK, userId])
      ).rows;
      if (!rows[0]?.locked) {
        client.release();
        return 'busy';
      }
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        try {
          await client.query('SELECT pg_advisory_unlock($1, $2)', [USER_PROVISIONING_LOCK, userId]);
          client.release();
        } catch (err) {
          // Dropping the connection ends its session, and with it the lock.
          client.release(err as Error);
        }
      },
    };
  }

  private lockPool(): Pool {
    if (!this.locks) {
      const o = this.dataSource.options as PostgresConnectionOptions;
      this.locks = new Pool({
        ...(o.url
          ? { connectionString: o.url }
          : { host: o.host, port: o.port, user: o.username, database: o.database }),
        ...(typeof o.password === 'string' ? { password: o.password } : {}),
        ...(o.ssl === undefined ? {} : { ssl: o.ssl as PoolConfig['ssl'] }),
        max: USER_LOCK_CONNECTIONS,
        connectionTimeoutMillis: USER_LOCK_CONNECT_MS,
        idleTimeoutMillis: 10_000,
        allowExitOnIdle: true,
        application_name: 'ozvps-panel-locks',
      });
      // An idle client that loses its server is dropped by the pool; nothing to do but not crash.
      this.locks.on('error', () => undefined);
    }
    return this.locks;
  }

  async onModuleDestroy(): Promise<void> {
    const pool = this.locks;
    this.locks = undefined;
    await pool?.end();
  }
}
