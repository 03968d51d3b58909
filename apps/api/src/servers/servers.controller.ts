import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PlansService } from '@ozvps/plans';
import {
  DeployService,
  Server,
  ServerDetailsService,
  ServerQueriesService,
  TemplatesService,
  toDetailsView,
  toServerEventView,
  toServerView,
} from '@ozvps/servers';
import { User } from '@ozvps/users';
import { RequiresVerifiedEmail } from '../account/account.decorators';
import { CurrentUser } from '../auth/auth.decorators';
import { ServerIdPipe } from './server-id.pipe';
import { CancelDto, DeployDto } from './servers.dto';

const notFound = new ParseIntPipe({ errorHttpStatusCode: 404 });

/** The signed-in user's servers: every lookup is scoped to the session's user. */
@Controller('api')
export class ServersController {
  constructor(
    private readonly deploys: DeployService,
    private readonly servers: ServerQueriesService,
    private readonly templates: TemplatesService,
    private readonly plans: PlansService,
    private readonly details: ServerDetailsService,
  ) {}

  /** OS templates VirtFusion offers for the plan's package (cached for a few minutes). */
  @Get('plans/:id/templates')
  async templatesFor(@Param('id', notFound) id: number) {
    const plan = await this.plans.assertDeployable(id);
    return { templates: await this.templates.forPlan(plan) };
  }

  /**
   * 201: a new server (status active, or failed with the reason and the charge refunded, or
   * provisioning while VirtFusion is asked what happened). 200: this idempotencyKey's server
   * already. 202: waiting for the returned top-up. 402: the wallet is short (nothing written).
   */
  @RequiresVerifiedEmail()
  @Post('servers')
  async deploy(
    @CurrentUser() user: User,
    @Body() body: DeployDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.deploys.deploy(user, body);
    res.status(!result.created ? 200 : result.server.status === 'awaiting_funds' ? 202 : 201);
    return {
      server: await this.view(result.server),
      ...(result.topup ? { topup: result.topup } : {}),
    };
  }

  @Get('servers')
  async list(@CurrentUser() user: User) {
    const servers = await this.servers.listForUser(user.id);
    const topups = await this.servers.topupsOf(servers);
    return { servers: servers.map((s) => toServerView(s, topups.get(s.id) ?? null)) };
  }

  /** The server page: the view plus plan specs, OS, addresses, next renewal and history in words. */
  @Get('servers/:id')
  async show(@CurrentUser() user: User, @Param('id', ServerIdPipe) id: number) {
    const server = await this.servers.get(id, user.id);
    return {
      server: { ...(await this.view(server)), ...toDetailsView(await this.details.details(server)) },
      events: (await this.servers.events(id)).map(toServerEventView),
    };
  }

  /**
   * The owner cancels a deploy waiting for its payment (also what Stripe's Cancel leads to):
   * 200 with the cancelled server (again: the same); 409 once it has started, or with a `token`
   * that is not this deploy's cancel link's (cancel_link_invalid); 404 if not theirs.
   */
  @Post('servers/:id/cancel')
  @HttpCode(200)
  async cancel(@CurrentUser() user: User, @Param('id', notFound) id: number, @Body() body: CancelDto) {
    return { server: await this.view(await this.deploys.cancelByOwner(id, user.id, body?.token)) };
  }

  private async view(server: Server) {
    return toServerView(server, await this.servers.topupOf(server));
  }
}
