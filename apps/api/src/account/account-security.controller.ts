import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { AccountSecurityService } from '@ozvps/accounts';
import { SessionNotFoundError, User, UserSessionsService } from '@ozvps/users';
import { CurrentUser } from '../auth/auth.decorators';
import type { PanelRequest } from '../auth/session.guard';
import { MailRateLimited, TokenRateLimited } from './account.decorators';
import { ChangeEmailDto, ChangePasswordDto } from './account.dto';

/** The signed-in user's password, email address and sessions. */
@Controller('api/account')
export class AccountSecurityController {
  constructor(
    private readonly security: AccountSecurityService,
    private readonly sessions: UserSessionsService,
  ) {}

  @TokenRateLimited()
  @Post('password')
  @HttpCode(200)
  async changePassword(@CurrentUser() user: User, @Body() body: ChangePasswordDto, @Req() req: PanelRequest) {
    const signedOut = await this.security.changePassword(
      user,
      body.currentPassword,
      body.newPassword,
      req.sessionToken!,
    );
    return { signedOutSessions: signedOut };
  }

  @TokenRateLimited()
  @MailRateLimited()
  @Post('email')
  @HttpCode(202)
  async changeEmail(@CurrentUser() user: User, @Body() body: ChangeEmailDto) {
    const pendingEmail = await this.security.requestEmailChange(user, body.currentPassword, body.newEmail);
    return { pendingEmail };
  }

  @Get('sessions')
  async list(@CurrentUser() user: User, @Req() req: PanelRequest) {
    return { sessions: await this.sessions.list(user.id, req.sessionToken) };
  }

  @Post('sessions/revoke-others')
  @HttpCode(200)
  async revokeOthers(@CurrentUser() user: User, @Req() req: PanelRequest) {
    return { signedOut: await this.sessions.revokeOthers(user.id, req.sessionToken!) };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  async revoke(@CurrentUser() user: User, @Param('id') id: string): Promise<void> {
    if (!/^[1-9][0-9]{0,15}$/.test(id) || !Number.isSafeInteger(Number(id))) throw new SessionNotFoundError();
    await this.sessions.revoke(user.id, Number(id));
  }
}
