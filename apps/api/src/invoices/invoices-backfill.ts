import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InvoicesService } from '@ozvps/invoices';

/**
 * Issues the documents of ledger rows written before documents existed, once, in the background
 * on API start (an upgrade needs no extra step; `ozvpsctl invoices backfill` does the same). Every
 * process may try: the backfill runs one at a time cluster-wide and finds nothing the second time.
 */
@Injectable()
export class InvoicesBackfill implements OnApplicationBootstrap {
  private readonly logger = new Logger('Invoices');

  constructor(private readonly invoices: InvoicesService) {}

  onApplicationBootstrap(): void {
    setImmediate(() => {
      this.invoices.backfill().then(
        (issued) => {
          if (issued > 0) this.logger.log(`issued ${issued} document(s) for earlier ledger rows`);
        },
        (err: unknown) =>
          this.logger.error(
            `document backfill failed (run \`ozvpsctl invoices backfill\`): ${err instanceof Error ? err.message : String(err)}`,
          ),
      );
    });
  }
}
