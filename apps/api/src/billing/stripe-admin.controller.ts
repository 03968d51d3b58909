import { Controller, Get, Query } from '@nestjs/common';
import { StripeAdminService, StripeStatus } from '@ozvps/billing';
import { ValidationError } from '@ozvps/core';
import { AdminOnly } from '../auth/auth.decorators';

@AdminOnly()
@Controller('api')
export class StripeAdminController {
  constructor(private readonly stripeAdmin: StripeAdminService) {}

  @Get(['billing/stripe/status', 'admin/stripe/status'])
  status(): Promise<StripeStatus> {
    return this.stripeAdmin.status();
  }

  /** Recent deliveries; unmatched and mismatched ones are what an admin must look at. */
  @Get('admin/stripe/events')
  async events(@Query('outcome') outcome?: string, @Query('limit') limit?: string) {
    if (limit !== undefined && !/^[1-9][0-9]{0,2}$/.test(limit))
      throw new ValidationError('limit must be 1 to 999');
    const rows = await this.stripeAdmin.events({ outcome, limit: limit ? Number(limit) : 50 });
    return { events: rows.map((e) => ({ ...e, receivedAt: e.receivedAt.toISOString() })) };
  }
}
