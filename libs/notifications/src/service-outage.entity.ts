import { Column, Entity } from 'typeorm';

/**
 * An outside service the panel currently cannot reach, since its first failed call: one row per
 * service while the outage lasts (deleted when a call succeeds again). Shared by every API
 * process, so the "down for 15 minutes" alert is sent once per outage, not once per replica.
 */
@Entity({ name: 'service_outages' })
export class ServiceOutage {
  @Column({ type: 'text', primary: true, primaryKeyConstraintName: 'service_outages_pkey' })
  service!: string;

  @Column({ type: 'timestamptz' })
  since!: Date;

  @Column({ name: 'last_error', type: 'text' })
  lastError!: string;

  @Column({ name: 'last_failure_at', type: 'timestamptz' })
  lastFailureAt!: Date;
}
