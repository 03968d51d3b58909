import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ValidationError } from '../errors';
import { AuditEvent } from './audit-event.entity';

export interface AuditRecord {
  /** As the service received it: `admin:<id>` (the web) or `cli:<operator>`. */
  actor: string;
  action: string;
  target: { type: string; id: string | number | null };
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  reason?: string | null;
}

export interface AuditQuery {
  /** Part of the actor, any letter case: `alice`, `admin:3`, `cli:`. */
  actor?: string;
  /** `type` or `type:id`: `server`, `user:12`. */
  target?: string;
  since?: Date;
  limit: number;
  /** Keyset: rows older than this id. */
  beforeId?: number;
}

/** Who acts for the business (an admin in the web, an operator at the shell), not a customer. */
export function isStaffActor(actor: string): boolean {
  return actor.startsWith('admin:') || actor.startsWith('cli:');
}

/**
 * The audit trail. `record` runs inside the caller's transaction, so the row exists exactly when
 * the change it describes does; it is static so any lib can write one without a new dependency.
 */
@Injectable()
export class AuditTrail {
  constructor(private readonly dataSource: DataSource) {}

  /** Writes one audit row in `em`'s transaction. */
  static async record(em: EntityManager, r: AuditRecord): Promise<void> {
    await em.query(
      `INSERT INTO audit_events (actor, action, target_type, target_id, before, after, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        await AuditTrail.describeActor(em, r.actor),
        r.action,
        r.target.type,
        r.target.id === null ? null : String(r.target.id),
        r.before === undefined ? null : JSON.stringify(r.before),
        r.after === undefined ? null : JSON.stringify(r.after),
        r.reason?.trim().slice(0, 1000) || null,
      ],
    );
  }

  /** Writes a row only for an admin or operator; a customer acting on their own things is not audited. */
  static async recordIfStaff(em: EntityManager, r: AuditRecord): Promise<void> {
    if (isStaffActor(r.actor)) await AuditTrail.record(em, r);
  }

  /**
   * `admin:<id>` becomes `admin:<id>:<email>` as the email is now: the row still says who it was
   * after the admin changes their address or leaves.
   */
  private static async describeActor(em: EntityManager, actor: string): Promise<string> {
    const admin = /^admin:([0-9]{1,16})$/.exec(actor);
    if (!admin) return actor;
    const rows = (await em.query('SELECT email FROM users WHERE id = $1', [admin[1]])) as {
      email: string;
    }[];
    return rows[0] ? `${actor}:${rows[0].email}` : actor;
  }

  /** Newest first, filtered, keyset-paginated. */
  async list(q: AuditQuery): Promise<AuditEvent[]> {
    const qb = this.dataSource.getRepository(AuditEvent).createQueryBuilder('a');
    if (q.actor) qb.andWhere('a.actor ILIKE :actor', { actor: `%${escapeLike(q.actor)}%` });
    if (q.target) {
      const [type, ...rest] = q.target.split(':');
      const id = rest.join(':');
      if (!type || !/^[a-z_-]{1,40}$/.test(type))
        throw new ValidationError('target must be a type or type:id, such as user or user:12');
      qb.andWhere('a.target_type = :type', { type });
      if (id) qb.andWhere('a.target_id = :id', { id });
    }
    if (q.since) qb.andWhere('a.created_at >= :since', { since: q.since });
    if (q.beforeId) qb.andWhere('a.id < :beforeId', { beforeId: q.beforeId });
    return qb.orderBy('a.id', 'DESC').limit(q.limit).getMany();
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `2026-11-01` or a full ISO time; anything else is a clear error. */
export function parseAuditSince(raw: string): Date {
  const text = raw.trim();
  const d = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : new Date(text);
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(text) || Number.isNaN(d.getTime()))
    throw new ValidationError(
      `since must be a date (2026-11-01) or an ISO time (got "${text.slice(0, 40)}")`,
    );
  return d;
}
