import { Controller, Headers, HttpCode, Post, RawBodyRequest, Req } from '@nestjs/common';
import type { Request } from 'express';
import {
  StripeWebhookService,
  WebhookMalformedError,
  WebhookResult,
  WebhookSignatureError,
} from '@ozvps/billing';
import { Public } from '../auth/auth.decorators';
import { PanelMetrics } from '../metrics/panel-metrics';

/** The one unauthenticated write: its Stripe signature, over the raw body, is its authentication. */
@Public()
@Controller('api/stripe')
export class StripeWebhookController {
  constructor(
    private readonly webhooks: StripeWebhookService,
    private readonly metrics: PanelMetrics,
  ) {}

  @Post('webhook')
  @HttpCode(200)
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Headers('stripe-signature') signature?: string,
  ): Promise<{ received: true; outcome: WebhookResult['outcome'] }> {
    let result: WebhookResult;
    try {
      result = await this.webhooks.receive(req.rawBody, signature);
    } catch (err) {
      const refused = err instanceof WebhookSignatureError || err instanceof WebhookMalformedError;
      this.metrics.webhookEvents.inc({ outcome: refused ? 'refused' : 'error' });
      throw err;
    }
    // The outcome is committed by now (credited, duplicate, ...): counted once it is.
    this.metrics.webhookEvents.inc({ outcome: result.outcome });
    return { received: true, outcome: result.outcome };
  }
}
