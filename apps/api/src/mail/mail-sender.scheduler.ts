import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { MailSender } from '@ozvps/notifications';

/**
 * Sends due outbox messages every few seconds. Every API process runs it: claims are SKIP LOCKED,
 * so replicas share the work and never send one message twice.
 */
@Injectable()
export class MailSenderScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('Mail');
  private running = false;

  constructor(private readonly sender: MailSender) {}

  onApplicationBootstrap(): void {
    setImmediate(() => void this.send());
  }

  @Interval('mail-sender', 5_000)
  async send(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.sender.runOnce();
    } catch (err) {
      this.logger.error(`sending failed: ${(err as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
