import { Body, Controller, Get, HttpCode, Logger, Param, ParseIntPipe, Post, Put, Req } from '@nestjs/common';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  MAX_PLAN_PRICE_CENTS,
  PlanSyncService,
  PlansService,
  SyncReport,
  toPlanView,
  toPublicPlanView,
} from '@ozvps/plans';
import { RepriceService, scheduledPricesDifferNote } from '@ozvps/servers';
import type { AdminPlan, PublicPlan } from '@ozvps/contracts';
import { User } from '@ozvps/users';
import { Admin, CurrentUser, Public } from '../auth/auth.decorators';
import type { PanelRequest } from '../auth/session.guard';

class SyncPlansDto {
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

class SetPriceDto {
  @IsInt({ message: 'priceMonthlyCents must be a whole number of cents' })
  @Min(1)
  @Max(MAX_PLAN_PRICE_CENTS)
  priceMonthlyCents!: number;
}

@Controller('api')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  /** Plans on sale, cheapest first, from the database (never a live VirtFusion call). */
  @Public()
  @Get('plans')
  async list(): Promise<{ plans: PublicPlan[] }> {
    return { plans: (await this.plans.listActive()).map(toPublicPlanView) };
  }
}

/** Everything an admin does with plans; the class-level marker covers any route added here later. */
@Admin()
@Controller('api/admin/plans')
export class AdminPlansController {
  constructor(
    private readonly plans: PlansService,
    private readonly planSync: PlanSyncService,
    private readonly reprice: RepriceService,
  ) {}

  private readonly logger = new Logger('Audit');

  @Get()
  async listAll(): Promise<{ plans: AdminPlan[]; lastSyncRun: unknown }> {
    const [plans, lastSyncRun] = await Promise.all([this.plans.listAll(), this.plans.lastSyncRun()]);
    return {
      plans: plans.map((p) => ({
        ...toPlanView(p),
        present: p.present,
        lastSyncedAt: p.lastSyncedAt.toISOString(),
      })),
      lastSyncRun,
    };
  }

  @Post('sync')
  @HttpCode(200)
  sync(@CurrentUser() admin: User, @Body() body: SyncPlansDto): Promise<SyncReport> {
    return this.planSync.sync('admin', { force: body.force === true, actor: `admin:${admin.id}` });
  }

  @Put(':id/price')
  async setPrice(
    @CurrentUser() admin: User,
    @Param('id', new ParseIntPipe({ errorHttpStatusCode: 404 })) id: number,
    @Body() body: SetPriceDto,
  ) {
    const plan = await this.plans.setPrice(
      await this.plans.get({ planId: id }),
      body.priceMonthlyCents,
      `admin:${admin.id}`,
    );
    // Servers already scheduled for another price keep it (never changed silently): say so.
    const differ = await this.reprice.scheduledPricesDiffer(plan.id, body.priceMonthlyCents);
    return {
      plan: toPlanView(plan),
      scheduledRepricesDiffer: differ.count,
      scheduledRepricesNote: scheduledPricesDifferNote(differ),
    };
  }

  /** Takes a plan off sale (its price cleared); the audit line is the CLI's, with the admin as actor. */
  @Post(':id/off-sale')
  @HttpCode(200)
  async takeOffSale(
    @Param('id', new ParseIntPipe({ errorHttpStatusCode: 404 })) id: number,
    @Req() req: PanelRequest,
  ) {
    const plan = await this.plans.get({ planId: id });
    const updated = await this.plans.takeOffSale(plan);
    this.logger.log(
      `audit ${new Date().toISOString()} actor=admin:${req.user!.id} action=plans.off-sale user=- plan=${plan.id} package=${plan.virtfusionPackageId} previous_cents=${plan.priceMonthlyCents ?? 'none'}`,
    );
    return {
      plan: {
        ...toPlanView(updated),
        present: updated.present,
        lastSyncedAt: updated.lastSyncedAt.toISOString(),
      },
    };
  }
}
