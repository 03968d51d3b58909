import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Allow } from 'class-validator';
import {
  Server,
  ServerActionsService,
  ServerCancellationService,
  ServerDetailsService,
  ServerQueriesService,
  toActionView,
  toDetailsView,
  toServerEventView,
  toServerView,
} from '@ozvps/servers';
import { User } from '@ozvps/users';
import { CurrentUser } from '../auth/auth.decorators';
import { ServerIdPipe } from './server-id.pipe';

/** Shapes are checked by ServerActionsService (one place for the API and the CLI). */
export class PowerDto {
  /** start | shutdown | restart | poweroff */
  @Allow()
  action!: unknown;
}

export class ReinstallDto {
  @Allow()
  templateId!: unknown;

  @Allow()
  sshKeyIds?: unknown;

  /** The server's hostname, typed by the customer: the reinstall erases the disk. */
  @Allow()
  confirmHostname!: unknown;
}

export class RenameDto {
  @Allow()
  hostname!: unknown;
}

const actor = (user: User) => `user:${user.id}`;

/** A customer's actions on their own running servers; any other server is 404. */
@Controller('api')
export class ServerActionsController {
  constructor(
    private readonly actions: ServerActionsService,
    private readonly cancellation: ServerCancellationService,
    private readonly details: ServerDetailsService,
    private readonly servers: ServerQueriesService,
  ) {}

  /** Power as VirtFusion reports it and the latest action (the page polls this while one runs). */
  @Get('servers/:id/state')
  async state(@CurrentUser() user: User, @Param('id', ServerIdPipe) id: number) {
    const state = await this.actions.state(id, { ownerId: user.id });
    return {
      power: state.power,
      reachable: state.reachable,
      action: state.action ? toActionView(state.action) : null,
    };
  }

  @Post('servers/:id/power')
  @HttpCode(202)
  async power(@CurrentUser() user: User, @Param('id', ServerIdPipe) id: number, @Body() body: PowerDto) {
    const action = await this.actions.power(id, body?.action, { actor: actor(user), ownerId: user.id });
    return { action: toActionView(action) };
  }

  /** A one-time VirtFusion login for this server's console (60 s); the API token stays here. */
  @Post('servers/:id/console')
  @HttpCode(200)
  async console(@CurrentUser() user: User, @Param('id', ServerIdPipe) id: number) {
    return { url: await this.actions.consoleUrl(id, { actor: actor(user), ownerId: user.id }) };
  }

  /** The new root password, shown once: never stored, never logged, never cached. */
  @Post('servers/:id/reset-password')
  @HttpCode(200)
  async resetPassword(
    @CurrentUser() user: User,
    @Param('id', ServerIdPipe) id: number,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { password, action } = await this.actions.resetPassword(id, {
      actor: actor(user),
      ownerId: user.id,
    });
    res.setHeader('Cache-Control', 'no-store');
    return { password, action: toActionView(action) };
  }

  @Get('servers/:id/templates')
  templates(@CurrentUser() user: User, @Param('id', ServerIdPipe) id: number) {
    return this.actions.templates(id, { ownerId: user.id });
  }

  @Post('servers/:id/reinstall')
  @HttpCode(202)
  async reinstall(
    @CurrentUser() user: User,
    @Param('id', ServerIdPipe) id: number,
    @Body() body: ReinstallDto,
  ) {
    const action = await this.actions.reinstall(id, body ?? {}, { actor: actor(user), ownerId: user.id });
    return { action: toActionView(action) };
  }

  @Post('servers/:id/rename')
  @HttpCode(200)
  async rename(@CurrentUser() user: User, @Param('id', ServerIdPipe) id: number, @Body() body: RenameDto) {
    return this.view(await this.actions.rename(id, body?.hostname, { actor: actor(user), ownerId: user.id }));
  }

  @Get('servers/:id/traffic')
  traffic(@CurrentUser() user: User, @Param('id', ServerIdPipe) id: number) {
    return this.actions.traffic(id, { ownerId: user.id });
  }

  /** No more renewals: the server ends when its paid period does (no refund). */
  @Post('servers/:id/cancel-at-period-end')
  @HttpCode(200)
  async cancelAtPeriodEnd(@CurrentUser() user: User, @Param('id', ServerIdPipe) id: number) {
    return this.view(await this.cancellation.cancelAtPeriodEnd(id, actor(user), user.id));
  }

  @Post('servers/:id/keep')
  @HttpCode(200)
  async keep(@CurrentUser() user: User, @Param('id', ServerIdPipe) id: number) {
    return this.view(await this.cancellation.keep(id, actor(user), user.id));
  }

  /** "Manage in VirtFusion": a one-time login to the customer's whole VirtFusion account. */
  @Post('virtfusion/login')
  @HttpCode(200)
  async virtfusionLogin(@CurrentUser() user: User) {
    return { url: await this.actions.accountLoginUrl(user.id) };
  }

  private async view(server: Server) {
    return {
      server: {
        ...toServerView(server, await this.servers.topupOf(server)),
        ...toDetailsView(await this.details.details(server)),
      },
      events: (await this.servers.events(server.id)).map(toServerEventView),
    };
  }
}
