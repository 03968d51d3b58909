import { Controller, Get, Query } from '@nestjs/common';
import type { StripeEventView, StripeStatus } from '@ozvps/contracts';
import { StripeAdminService } from '@ozvps/billing';
import { Admin } from '../auth/auth.decorators';
import { queryInt } from '../query-params';

@Admin()
@Controller('api')
export class StripeAdminController {
  constructor(private readonly stripeAdmin: StripeAdminService) {}

  @Get(['billing/stripe/status', 'admin/stripe/status'])
  status(): Promise<StripeStatus> {
    return this.stripeAdmin.status();
  }

  /** Recent deliveries; unmatched and mismatched ones are what an admin must look at. */
  @Get('admin/stripe/events')
  async events(
    @Query('outcome') outcome?: string,
    @Query('limit') limit?: string,
  ): Promise<{ events: StripeEventView[] }> {
    const rows = await this.stripeAdmin.events({ outcome, limit: queryInt(limit, 'limit', 1, 999, 50) });
    return { events: rows.map((e) => ({ ...e, receivedAt: e.receivedAt.toISOString() })) };
  }
}
