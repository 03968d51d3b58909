import { Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '@ozvps/core';
import { MailSender } from '@ozvps/notifications';
import { PanelMetrics } from '../metrics/panel-metrics';

/**
 * Sends due outbox messages every few seconds. Every API process runs it: claims are SKIP LOCKED,
 * so replicas share the work and never send one message twice.
 */
@Injectable()
export class MailSenderScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('Mail');
  private running = false;

  constructor(
    private readonly sender: MailSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: PanelMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const { smtp, from } = this.config.mail;
    if (!smtp) this.logger.log('SMTP_URL is not set: email is held in the outbox, not sent');
    else {
      this.logger.log(`sending email through ${smtp.display} as ${from}`);
      if (/@localhost>?$/i.test(from))
        this.logger.warn(
          'MAIL_FROM is still the default (…@localhost): most mail servers refuse it; set MAIL_FROM',
        );
    }
    setImmediate(() => void this.send());
  }

  @Interval('mail-sender', 5_000)
  async send(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const started = performance.now();
    try {
      const result = await this.sender.runOnce();
      this.metrics?.jobRun('mail-sender', 'succeeded', started);
      for (const outcome of ['sent', 'retried', 'dead'] as const)
        if (result[outcome] > 0) this.metrics?.mailDeliveries.inc({ outcome }, result[outcome]);
    } catch (err) {
      this.metrics?.jobRun('mail-sender', 'failed', started);
      this.logger.error(`sending failed: ${(err as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
