import { Controller, Get, Query } from '@nestjs/common';
import type { StripeEventView, StripeStatus } from '@ozvps/contracts';
import { StripeAdminService } from '@ozvps/billing';
import { UsersService } from '@ozvps/users';
import { Admin } from '../auth/auth.decorators';
import { queryInt } from '../query-params';

@Admin()
@Controller('api')
export class StripeAdminController {
  constructor(
    private readonly stripeAdmin: StripeAdminService,
    private readonly users: UsersService,
  ) {}

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
    const emails = await this.users.emailsByStripeCustomer(
      rows.flatMap((e) => (e.stripeCustomerId ? [e.stripeCustomerId] : [])),
    );
    return {
      events: rows.map((e) => ({
        ...e,
        receivedAt: e.receivedAt.toISOString(),
        // The customer's email beside cus_…, so an admin sees who paid without a second lookup.
        customerEmail: e.stripeCustomerId ? (emails.get(e.stripeCustomerId) ?? null) : null,
      })),
    };
  }
}
