import { Controller, Headers, HttpCode, Post, RawBodyRequest, Req } from '@nestjs/common';
import type { Request } from 'express';
import { StripeWebhookService, WebhookResult } from '@ozvps/billing';
import { Public } from '../auth/auth.decorators';

/** The one unauthenticated write: its Stripe signature, over the raw body, is its authentication. */
@Public()
@Controller('api/stripe')
export class StripeWebhookController {
  constructor(private readonly webhooks: StripeWebhookService) {}

  @Post('webhook')
  @HttpCode(200)
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Headers('stripe-signature') signature?: string,
  ): Promise<{ received: true; outcome: WebhookResult['outcome'] }> {
    const result = await this.webhooks.receive(req.rawBody, signature);
    return { received: true, outcome: result.outcome };
  }
}
