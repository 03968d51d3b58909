import { Injectable } from '@nestjs/common';
import { BillingRepository } from './billing.repository';

/**
 * This installation's id, generated once in the database and read once per process. It prefixes
 * every Stripe idempotency key: keys such as `customer-<userId>` repeat after a database reset or
 * restore, and Stripe would refuse or replay the earlier install's request for 24 hours.
 */
@Injectable()
export class InstallationService {
  private id: Promise<string> | null = null;

  constructor(private readonly billing: BillingRepository) {}

  installationId(): Promise<string> {
    if (!this.id) {
      this.id = this.billing.installationId().catch((err: unknown) => {
        this.id = null; // a failed read is retried next time, not cached
        throw err;
      });
    }
    return this.id;
  }

  /**
   * The idempotency key Stripe sees for one of our requests about one row, e.g.
   * `ozvps-<installation>-customer-42-1763900000123`. The row's creation time (ms) covers a restored
   * backup, which brings back the installation id and the id sequences: the next user 42 of the
   * restored database is not the user 42 whose request Stripe already holds.
   */
  async stripeKey(kind: 'customer' | 'topup', row: { id: number; createdAt: Date }): Promise<string> {
    return `ozvps-${await this.installationId()}-${kind}-${row.id}-${row.createdAt.getTime()}`;
  }
}
