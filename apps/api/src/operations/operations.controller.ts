import { Controller, Get, Query } from '@nestjs/common';
import { HealthService } from '@ozvps/operations';
import { FORECAST_MAX_DAYS, ForecastService } from '@ozvps/servers';
import { Admin } from '../auth/auth.decorators';
import { onlyQueryKeys, queryInt } from '../query-params';

/** What happens next: the renewal runs' plan, waiting deploys and stuck provisioning. */
@Admin()
@Controller('api/admin/forecast')
export class AdminForecastController {
  constructor(private readonly forecasts: ForecastService) {}

  @Get()
  async forecast(@Query() query: Record<string, unknown>) {
    onlyQueryKeys(query, ['days']);
    const days = queryInt(query.days as string | undefined, 'days', 1, FORECAST_MAX_DAYS, 7)!;
    return { forecast: await this.forecasts.forecast(days) };
  }
}

/** Whether everything that should have happened did (the same report as `ozvpsctl health`). */
@Admin()
@Controller('api/admin/health')
export class AdminHealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  async report() {
    return { health: await this.health.report() };
  }
}
