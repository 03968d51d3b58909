import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BigIntIdentityPrimaryColumn, bigintToNumber } from '@ozvps/core';
import { Server } from './server.entity';

export const POWER_ACTIONS = ['start', 'shutdown', 'restart', 'poweroff'] as const;
export type PowerAction = (typeof POWER_ACTIONS)[number];

/** What a customer or an admin asked VirtFusion to do that takes a while to finish. */
export const ACTION_KINDS = [...POWER_ACTIONS, 'reinstall', 'reset_password'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export type ActionStatus = 'running' | 'succeeded' | 'failed';

/**
 * One action on one server, from the request until VirtFusion says how it ended. The partial
 * unique index lets only one run per server at a time: a second concurrent insert fails in
 * PostgreSQL, whichever process sent it.
 */
@Entity({ name: 'server_actions' })
@Index('server_actions_one_running_key', ['serverId'], { unique: true, where: `status = 'running'` })
@Index('server_actions_server_id_started_at_idx', ['serverId', 'startedAt'])
@Check(
  'server_actions_kind_check',
  `kind IN ('start', 'shutdown', 'restart', 'poweroff', 'reinstall', 'reset_password')`,
)
@Check('server_actions_status_check', `status IN ('running', 'succeeded', 'failed')`)
export class ServerAction {
  @BigIntIdentityPrimaryColumn('server_actions_pkey')
  id!: number;

  @Column({ name: 'server_id', type: 'bigint', transformer: bigintToNumber })
  serverId!: number;

  @ManyToOne(() => Server, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'server_id', foreignKeyConstraintName: 'server_actions_server_id_fkey' })
  server?: Server;

  @Column({ type: 'text' })
  kind!: ActionKind;

  @Column({ type: 'text', default: 'running' })
  status!: ActionStatus;

  /** `user:<id>`, `admin:<id>` or `cli:<os user>`. */
  @Column({ type: 'text' })
  actor!: string;

  /** VirtFusion's queue item for the job, when it gave one (power, password reset). */
  @Column({ name: 'queue_id', type: 'integer', nullable: true })
  queueId!: number | null;

  /** How it ended, in words (VirtFusion's reason when it failed); never a secret. */
  @Column({ type: 'text', nullable: true })
  message!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
