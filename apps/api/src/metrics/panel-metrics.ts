import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Outbox } from '@ozvps/notifications';

/** Seconds: from a fast JSON answer to a slow VirtFusion call or a long job. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const CALL_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const JOB_BUCKETS = [0.05, 0.25, 1, 5, 15, 60, 300, 900];

/**
 * The panel's Prometheus metrics, one registry per process: each replica is scraped on its own
 * and Prometheus adds them up. Counters change only after the fact they count is committed.
 */
@Injectable()
export class PanelMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'ozvps_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'ozvps_http_request_duration_seconds',
    help: 'Time from receiving a request to finishing its answer, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  readonly webhookEvents = new Counter({
    name: 'ozvps_stripe_webhook_events_total',
    help: 'Stripe webhook deliveries by outcome (credited, duplicate, ignored, ..., refused, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly ledgerRows = new Counter({
    name: 'ozvps_wallet_ledger_rows_total',
    help: 'Committed wallet ledger rows, by direction (credit, debit) and type (topup, server_charge, ...)',
    labelNames: ['direction', 'type'] as const,
    registers: [this.registry],
  });

  readonly ledgerCents = new Counter({
    name: 'ozvps_wallet_ledger_cents_total',
    help: 'Cents moved by committed wallet ledger rows (always positive), by direction and type',
    labelNames: ['direction', 'type'] as const,
    registers: [this.registry],
  });

  readonly jobRuns = new Counter({
    name: 'ozvps_job_runs_total',
    help: 'Scheduled job runs in this process, by job and outcome (succeeded, failed)',
    labelNames: ['job', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'ozvps_job_duration_seconds',
    help: 'How long scheduled job runs in this process took, by job and outcome',
    labelNames: ['job', 'outcome'] as const,
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });

  readonly mailDeliveries = new Counter({
    name: 'ozvps_mail_deliveries_total',
    help: 'Outbox messages this process tried to deliver, by outcome (sent, retried, dead)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly virtfusionCalls = new Histogram({
    name: 'ozvps_virtfusion_request_duration_seconds',
    help: 'VirtFusion API calls (each retry counted), by method, path template and outcome (ok or the error kind)',
    labelNames: ['method', 'path', 'outcome'] as const,
    buckets: CALL_BUCKETS,
    registers: [this.registry],
  });

  readonly virtfusionErrors = new Counter({
    name: 'ozvps_virtfusion_errors_total',
    help: 'VirtFusion API calls that failed, by method, path template and error kind',
    labelNames: ['method', 'path', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor(outbox: Outbox) {
    collectDefaultMetrics({ register: this.registry, prefix: 'ozvps_' });
    new Gauge({
      name: 'ozvps_outbox_messages',
      help: 'Outgoing messages waiting (pending) or being sent (sending), read from the database on scrape',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const depth = await outbox.depth();
        this.set({ status: 'pending' }, depth.pending);
        this.set({ status: 'sending' }, depth.sending);
      },
    });
  }

  /** One run of a job, `started` being its performance.now() at the start. */
  jobRun(job: string, outcome: 'succeeded' | 'failed', started: number): void {
    this.jobRuns.inc({ job, outcome });
    this.jobDuration.observe({ job, outcome }, (performance.now() - started) / 1000);
  }

  /** The exposition text, and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
