import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { TOPUP_CREDITED, TopupCreditedEvent } from '@ozvps/billing';
import { RenewalsService, SweepService } from '@ozvps/servers';

/**
 * What a credited top-up sets going, in the API process only (the CLI registers no handler, so a
 * credit it makes never provisions there; the sweep starts it). Runs after the webhook answered
 * (`async`): a failure here is logged, and the sweep finishes what was left.
 */
@Injectable()
export class TopupCreditedHandler {
  private readonly logger = new Logger('TopupCredited');

  constructor(
    private readonly sweeper: SweepService,
    private readonly renewals: RenewalsService,
  ) {}

  @OnEvent(TOPUP_CREDITED, { async: true })
  async handle(event: TopupCreditedEvent): Promise<void> {
    try {
      // The deploy this top-up was opened for, first, so that an overdue renewal cannot take its money.
      if (event.checkoutSessionId) await this.sweeper.startForTopup(event.checkoutSessionId);
      // Money in the wallet pays (and lifts) the user's overdue renewals.
      await this.renewals.run(event.userId);
    } catch (err) {
      this.logger.error(`after crediting user ${event.userId}: ${(err as Error).message}`);
    }
  }
}
