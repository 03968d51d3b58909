import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** The only code that speaks SQL for `service_outages`. */
@Injectable()
export class AdminAlertsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }

  /** Records a failed call; returns when the outage began (this call, or an earlier one). */
  async outageFailure(em: EntityManager, service: string, at: Date, error: string): Promise<Date> {
    const rows: { since: Date }[] = await em.query(
      `INSERT INTO service_outages (service, since, last_error, last_failure_at) VALUES ($1, $2, $3, $2)
         ON CONFLICT (service) DO UPDATE
           SET last_error = EXCLUDED.last_error, last_failure_at = EXCLUDED.last_failure_at
         RETURNING since`,
      [service, at, error],
    );
    return new Date(rows[0]!.since);
  }

  /** The outage is over; true when there was one. */
  async outageOver(service: string): Promise<boolean> {
    const [, count]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM service_outages WHERE service = $1`,
      [service],
    );
    return count > 0;
  }
}
