import { Check, Column, Entity, Index } from 'typeorm';
import { BigIntIdentityPrimaryColumn } from '../bigint.transformer';

export const JOB_TRIGGERS = ['schedule', 'startup'] as const;
export type JobTrigger = (typeof JOB_TRIGGERS)[number];

export const JOB_OUTCOMES = ['running', 'succeeded', 'failed'] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

/** What a job reports about its run (resumed, charged, …), kept for operators. */
export type JobCounts = Record<string, number>;

/**
 * One run of a scheduled job by one API process. A scheduled run first claims its tick (the
 * period it stands for): the unique (name, tick) lets exactly one replica have it. Runs on start
 * are not claimed (tick null): each process does its own, as the jobs are safe to repeat.
 */
@Entity({ name: 'job_runs' })
@Index('job_runs_name_tick_key', ['name', 'tick'], { unique: true })
@Index('job_runs_started_at_idx', ['startedAt'])
@Check('job_runs_trigger_check', `trigger IN ('schedule', 'startup')`)
@Check('job_runs_outcome_check', `outcome IN ('running', 'succeeded', 'failed')`)
export class JobRun {
  @BigIntIdentityPrimaryColumn('job_runs_pkey')
  id!: number;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'timestamptz', nullable: true })
  tick!: Date | null;

  @Column({ type: 'text' })
  trigger!: JobTrigger;

  /** hostname:pid of the process that ran it. */
  @Column({ name: 'claimed_by', type: 'text' })
  claimedBy!: string;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'text', default: 'running' })
  outcome!: JobOutcome;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  counts!: JobCounts | null;
}
