/** The event name of a committed wallet credit from Stripe (see TopupCreditedEvent). */
export const TOPUP_CREDITED = 'topup.credited';

/**
 * A Stripe top-up was credited to a wallet and the transaction is committed. Emitted by the
 * webhook handling (also when `ozvpsctl stripe reconcile --yes` replays an event); only the API
 * listens, so the CLI never starts provisioning: the API's sweep picks up what the CLI credited.
 */
export class TopupCreditedEvent {
  constructor(
    readonly userId: number,
    readonly topupId: number,
    /** The checkout session that paid; null for dispute funds returned to the wallet. */
    readonly checkoutSessionId: string | null,
    readonly amountCents: number,
  ) {}
}
