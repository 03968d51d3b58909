import { Check, Column, CreateDateColumn, Entity, Index, UpdateDateColumn } from 'typeorm';
import { BigIntIdentityPrimaryColumn, bigintToNumber } from '@ozvps/core';

/**
 * A plan offered to customers. Everything but the price comes from a VirtFusion package and is
 * overwritten by each sync; the price is the panel's own and survives syncs.
 */
@Entity({ name: 'plans' })
@Check('plans_price_monthly_cents_check', `price_monthly_cents IS NULL OR price_monthly_cents > 0`)
export class Plan {
  @BigIntIdentityPrimaryColumn('plans_pkey')
  id!: number;

  @Index('plans_virtfusion_package_id_key', { unique: true })
  @Column({ name: 'virtfusion_package_id', type: 'integer' })
  virtfusionPackageId!: number;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'integer' })
  vcpu!: number;

  @Column({ name: 'memory_mb', type: 'integer' })
  memoryMb!: number;

  @Column({ name: 'storage_gb', type: 'integer' })
  storageGb!: number;

  /** 0 means unlimited, as in VirtFusion. */
  @Column({ name: 'traffic_gb', type: 'integer' })
  trafficGb!: number;

  @Column({ name: 'network_speed_in_mbps', type: 'integer' })
  networkSpeedInMbps!: number;

  @Column({ name: 'network_speed_out_mbps', type: 'integer' })
  networkSpeedOutMbps!: number;

  /** VirtFusion's own flag. */
  @Column({ type: 'boolean' })
  enabled!: boolean;

  /** Present in the last successful sync. */
  @Column({ type: 'boolean' })
  present!: boolean;

  /** Offered: enabled, present and priced. */
  @Column({ type: 'boolean', default: false })
  active!: boolean;

  @Column({ name: 'price_monthly_cents', type: 'bigint', nullable: true, transformer: bigintToNumber })
  priceMonthlyCents!: number | null;

  /** When a sync last changed this row (an unchanged sync writes nothing). */
  @Column({ name: 'last_synced_at', type: 'timestamptz' })
  lastSyncedAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const SYNC_TRIGGERS = ['startup', 'schedule', 'admin', 'cli'] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

@Entity({ name: 'plan_sync_runs' })
@Check('plan_sync_runs_trigger_check', `trigger IN ('startup', 'schedule', 'admin', 'cli')`)
@Check('plan_sync_runs_status_check', `status IN ('running', 'succeeded', 'failed', 'refused')`)
export class PlanSyncRun {
  @BigIntIdentityPrimaryColumn('plan_sync_runs_pkey')
  id!: number;

  @Column({ type: 'text' })
  trigger!: SyncTrigger;

  @Column({ type: 'text' })
  status!: 'running' | 'succeeded' | 'failed' | 'refused';

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  created!: number;

  @Column({ type: 'integer', default: 0 })
  updated!: number;

  @Column({ type: 'integer', default: 0 })
  deactivated!: number;

  @Column({ type: 'integer', default: 0 })
  reactivated!: number;

  @Column({ type: 'integer', default: 0 })
  unchanged!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  changes!: PlanChange[];
}

export interface PlanChange {
  packageId: number;
  planId: number | null;
  kind: 'created' | 'updated' | 'deactivated' | 'reactivated';
  fields: string[];
}
