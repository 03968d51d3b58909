import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Allow } from 'class-validator';
import { ValidationError } from '@ozvps/core';
import {
  Server,
  SERVER_STATUSES,
  ServerActionsService,
  ServerCancellationService,
  ServerDetailsService,
  ServerAdminService,
  ServerQueriesService,
  ServerStatus,
  toActionView,
  toAdminServerRowView,
  toDetailsView,
  toServerEventView,
} from '@ozvps/servers';
import { User } from '@ozvps/users';
import { Admin, CurrentUser } from '../auth/auth.decorators';
import { queryInt } from '../query-params';
import { PowerDto, ReinstallDto } from '../servers/server-actions.controller';
import { ServerIdPipe } from '../servers/server-id.pipe';

class TerminateDto {
  /** The server's hostname, typed to confirm: terminating deletes it in VirtFusion. */
  @Allow()
  confirmHostname!: unknown;
}

class SuspendDto {
  @Allow()
  reason?: unknown;
}

const actor = (admin: User) => `admin:${admin.id}`;

/** Admin-only: marked on the class, so any route added here later is admin too. */
@Admin()
@Controller('api/admin/servers')
export class AdminServersController {
  constructor(
    private readonly servers: ServerQueriesService,
    private readonly admin: ServerAdminService,
    private readonly actions: ServerActionsService,
    private readonly cancellation: ServerCancellationService,
    private readonly details: ServerDetailsService,
  ) {}

  /** Every server with owner, plan and why it needs care; `care=1`: only those that do. */
  @Get()
  async list(
    @Query('care') care?: string,
    @Query('userId') userId?: string,
    @Query('status') status?: string,
  ) {
    if (care !== undefined && care !== '0' && care !== '1') throw new ValidationError('care must be 0 or 1');
    if (status !== undefined && !(SERVER_STATUSES as readonly string[]).includes(status))
      throw new ValidationError(`status must be one of ${SERVER_STATUSES.join(', ')}`);
    const rows = await this.details.adminList({
      care: care === '1',
      userId: queryInt(userId, 'userId', 1, Number.MAX_SAFE_INTEGER),
      status: status as ServerStatus | undefined,
    });
    return rows.map(toAdminServerRowView);
  }

  @Get(':id')
  async show(@Param('id', ServerIdPipe) id: number) {
    return this.view(await this.actions.find(id, {}));
  }

  @Post(':id/power')
  @HttpCode(202)
  async power(@CurrentUser() admin: User, @Param('id', ServerIdPipe) id: number, @Body() body: PowerDto) {
    return { action: toActionView(await this.actions.power(id, body?.action, { actor: actor(admin) })) };
  }

  @Post(':id/reset-password')
  @HttpCode(200)
  async resetPassword(
    @CurrentUser() admin: User,
    @Param('id', ServerIdPipe) id: number,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { password, action } = await this.actions.resetPassword(id, { actor: actor(admin) });
    res.setHeader('Cache-Control', 'no-store');
    return { password, action: toActionView(action) };
  }

  @Get(':id/templates')
  templates(@Param('id', ServerIdPipe) id: number) {
    return this.actions.templates(id, {});
  }

  @Post(':id/reinstall')
  @HttpCode(202)
  async reinstall(
    @CurrentUser() admin: User,
    @Param('id', ServerIdPipe) id: number,
    @Body() body: ReinstallDto,
  ) {
    return { action: toActionView(await this.actions.reinstall(id, body ?? {}, { actor: actor(admin) })) };
  }

  @Post(':id/cancel-at-period-end')
  @HttpCode(200)
  async cancelAtPeriodEnd(@CurrentUser() admin: User, @Param('id', ServerIdPipe) id: number) {
    return this.view(await this.cancellation.cancelAtPeriodEnd(id, actor(admin)));
  }

  @Post(':id/keep')
  @HttpCode(200)
  async keep(@CurrentUser() admin: User, @Param('id', ServerIdPipe) id: number) {
    return this.view(await this.cancellation.keep(id, actor(admin)));
  }

  @Post(':id/suspend')
  @HttpCode(200)
  async suspend(@CurrentUser() admin: User, @Param('id', ServerIdPipe) id: number, @Body() body: SuspendDto) {
    if (body?.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > 500))
      throw new ValidationError('reason must be text of at most 500 characters');
    return this.view(await this.admin.suspendByAdmin(id, actor(admin), body?.reason as string | undefined));
  }

  @Post(':id/unsuspend')
  @HttpCode(200)
  async unsuspend(@CurrentUser() admin: User, @Param('id', ServerIdPipe) id: number) {
    return this.view(await this.admin.unsuspendByAdmin(id, actor(admin)));
  }

  /** Deletes the server in VirtFusion now (no refund); the hostname must be typed to confirm. */
  @Post(':id/terminate')
  @HttpCode(200)
  async terminate(
    @CurrentUser() admin: User,
    @Param('id', ServerIdPipe) id: number,
    @Body() body: TerminateDto,
  ) {
    return this.view(await this.actions.terminate(id, body?.confirmHostname, actor(admin)));
  }

  private async view(server: Server) {
    const [row, details, events, state] = await Promise.all([
      this.details.adminRow(server),
      this.details.details(server),
      this.servers.events(server.id),
      this.actions.latestActions([server.id]),
    ]);
    const action = state.get(server.id);
    return {
      server: { ...toAdminServerRowView(row), ...toDetailsView(details) },
      events: events.map(toServerEventView),
      action: action ? toActionView(action) : null,
    };
  }
}
