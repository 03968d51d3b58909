import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, AppConfig, ValidationError } from '@ozvps/core';
import { NoPendingSignInError, TwoFactorService, User } from '@ozvps/users';
import {
  CurrentUser,
  OpenDuringEnrolment,
  SecondFactorRateLimited,
  SecondFactorStep,
} from './auth.decorators';
import { meJson, MeResponse } from './auth.controller';
import { SecondFactorAttemptGuard } from './second-factor-attempt.guard';
import { setSessionCookie } from './session-cookie';
import type { PanelRequest } from './session.guard';
import { DisableSecondFactorDto, SecondFactorCodeDto, VerifySecondFactorDto } from './two-factor.dto';

/** The second step of signing in, for a session that gave its password and owes a code. */
@Controller('api/auth/2fa')
export class TwoFactorSignInController {
  constructor(
    private readonly twoFactor: TwoFactorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @SecondFactorStep()
  @SecondFactorRateLimited()
  @UseGuards(SecondFactorAttemptGuard)
  @Post('verify')
  @HttpCode(200)
  async verify(
    @Body() body: VerifySecondFactorDto,
    @Req() req: PanelRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MeResponse> {
    if ((body.code === undefined) === (body.recoveryCode === undefined))
      throw new ValidationError('Send either code (from your authenticator app) or recoveryCode, not both');
    if (req.sessionStage !== 'second-factor' || !req.sessionToken) throw new NoPendingSignInError();
    const proof = body.code !== undefined ? { code: body.code } : { recoveryCode: body.recoveryCode! };
    const session = await this.twoFactor.completeSignIn(req.sessionToken, proof, {
      ip: req.ip ?? null,
      userAgent: req.headers['user-agent'] ?? null,
    });
    setSessionCookie(res, this.config, session.token, session.expiresAt);
    return meJson(session.user);
  }
}

/** Setting up, using and turning off two-factor sign-in on the signed-in user's own account. */
@OpenDuringEnrolment()
@Controller('api/account/2fa')
export class AccountTwoFactorController {
  constructor(private readonly twoFactor: TwoFactorService) {}

  @Get()
  status(@CurrentUser() user: User) {
    return this.twoFactor.status(user.id);
  }

  /** A new secret (QR code and text), not active until confirmed; the only time the secret is shown. */
  @Post('enrol')
  @HttpCode(200)
  enrol(@CurrentUser() user: User) {
    return this.twoFactor.startEnrolment(user);
  }

  @SecondFactorRateLimited()
  @UseGuards(SecondFactorAttemptGuard)
  @Post('confirm')
  @HttpCode(200)
  async confirm(@CurrentUser() user: User, @Body() body: SecondFactorCodeDto) {
    return { enabled: true, recoveryCodes: await this.twoFactor.confirmEnrolment(user, body.code) };
  }

  @SecondFactorRateLimited()
  @UseGuards(SecondFactorAttemptGuard)
  @Post('recovery-codes')
  @HttpCode(200)
  async recoveryCodes(@CurrentUser() user: User, @Body() body: SecondFactorCodeDto) {
    return { recoveryCodes: await this.twoFactor.regenerateRecoveryCodes(user, body.code) };
  }

  @SecondFactorRateLimited()
  @UseGuards(SecondFactorAttemptGuard)
  @Post('disable')
  @HttpCode(200)
  async disable(@CurrentUser() user: User, @Body() body: DisableSecondFactorDto) {
    await this.twoFactor.disable(user, body.password, body.code);
    return { enabled: false };
  }
}
