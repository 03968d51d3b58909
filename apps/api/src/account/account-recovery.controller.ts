import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { EmailVerificationService, PasswordResetService } from '@ozvps/accounts';
import { APP_CONFIG, AppConfig } from '@ozvps/core';
import { User } from '@ozvps/users';
import { CurrentUser, Public } from '../auth/auth.decorators';
import { clearSessionCookie } from '../auth/session-cookie';
import type { PanelRequest } from '../auth/session.guard';
import { MailRateLimited, TokenRateLimited } from './account.decorators';
import { ForgotPasswordDto, ResetPasswordDto, TokenDto } from './account.dto';

/** The one answer to "forgot password", whether or not the address has an account. */
export const FORGOT_PASSWORD_ANSWER =
  'If an account uses this address, we have emailed it a link to choose a new password. The link works once, for one hour.';

/** Emailed links: confirming an address, and choosing a new password without the old one. */
@Controller('api/auth')
export class AccountRecoveryController {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly resets: PasswordResetService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Follows a verification or change-of-email link; signed in as someone else, it is refused. */
  @Public()
  @TokenRateLimited()
  @Post('verify-email')
  @HttpCode(200)
  async verifyEmail(@Body() body: TokenDto, @Req() req: PanelRequest) {
    const done = await this.verification.verify(body.token, req.user?.id);
    return { purpose: done.purpose, email: done.email, emailVerified: true };
  }

  @TokenRateLimited()
  @MailRateLimited()
  @Post('verify-email/resend')
  @HttpCode(200)
  async resend(@CurrentUser() user: User) {
    return { sent: await this.verification.resend(user) };
  }

  @Public()
  @TokenRateLimited()
  @MailRateLimited()
  @Post('forgot-password')
  @HttpCode(202)
  async forgotPassword(@Body() body: ForgotPasswordDto) {
    await this.resets.request(body.email);
    return { message: FORGOT_PASSWORD_ANSWER };
  }

  /** Every session of the account ends, this browser's too: it signs in again with the new password. */
  @Public()
  @TokenRateLimited()
  @Post('reset-password')
  @HttpCode(200)
  async resetPassword(@Body() body: ResetPasswordDto, @Res({ passthrough: true }) res: Response) {
    await this.resets.reset(body.token, body.password);
    clearSessionCookie(res, this.config);
    return { message: 'Your password has been changed. Sign in with the new one.' };
  }
}
