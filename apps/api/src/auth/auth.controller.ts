import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Me, MeWithTwoFactor, SecondFactorOwed, SessionAnswer } from '@ozvps/contracts';
import { AccountsService } from '@ozvps/accounts';
import { APP_CONFIG, AppConfig } from '@ozvps/core';
import { AuthService, User } from '@ozvps/users';
import {
  AuthRateLimited,
  CurrentUser,
  OpenDuringEnrolment,
  Public,
  SecondFactorStep,
} from './auth.decorators';
import { LoginDto, SignupDto } from './auth.dto';
import { clearSessionCookie, setSessionCookie } from './session-cookie';
import type { PanelRequest } from './session.guard';

export type MeResponse = Me;

export function meJson(user: User): MeResponse {
  return {
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      createdAt: user.createdAt.toISOString(),
      // A row just inserted has no value here yet (undefined), not null.
      emailVerified: Boolean(user.emailVerifiedAt),
    },
  };
}

function meWithTwoFactor(user: User, req: PanelRequest): MeWithTwoFactor {
  return {
    ...meJson(user),
    twoFactor: {
      enabled: req.twoFactorEnabled === true,
      enrolmentRequired: req.sessionStage === 'enrolment',
    },
  };
}

@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @AuthRateLimited()
  @Post('signup')
  async signup(
    @Body() body: SignupDto,
    @Req() req: PanelRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MeResponse> {
    const session = await this.accounts.signup(body, clientOf(req));
    await this.endPreviousSession(req);
    setSessionCookie(res, this.config, session.token, session.expiresAt);
    return meJson(session.user);
  }

  @Public()
  @AuthRateLimited()
  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: LoginDto,
    @Req() req: PanelRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MeResponse | SecondFactorOwed> {
    const session = await this.auth.login(body.email, body.password, clientOf(req));
    // A fresh token on every sign-in, and whatever session the browser carried is ended: a token
    // planted before sign-in (session fixation) never becomes a signed-in session.
    await this.endPreviousSession(req);
    setSessionCookie(res, this.config, session.token, session.expiresAt);
    return session.secondFactorPending ? { twoFactorRequired: true } : meJson(session.user);
  }

  @SecondFactorStep()
  @OpenDuringEnrolment()
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: PanelRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.endPreviousSession(req);
    clearSessionCookie(res, this.config);
  }

  /** Who is signed in; `twoFactor.enrolmentRequired`: an admin who can only set up 2FA (ADMIN_REQUIRE_2FA). */
  @OpenDuringEnrolment()
  @Get('me')
  me(@CurrentUser() user: User, @Req() req: PanelRequest): MeWithTwoFactor {
    return meWithTwoFactor(user, req);
  }

  /**
   * Who is signed in, or `{ user: null }`: the web app asks this on every page, and a signed-out
   * visitor is an answer, not an error (a 401 would be logged as a failed request in the console).
   * A session still owing its second factor gets `{ user: null, twoFactorRequired: true }`: the app
   * asks for the code, and nothing about the account reaches a browser that has only the password.
   */
  @Public()
  @Get('session')
  session(@Req() req: PanelRequest): SessionAnswer {
    if (req.user) return meWithTwoFactor(req.user, req);
    return req.sessionStage === 'second-factor' ? { user: null, twoFactorRequired: true } : { user: null };
  }

  private async endPreviousSession(req: PanelRequest): Promise<void> {
    if (req.sessionToken) await this.auth.revoke(req.sessionToken);
  }
}

function clientOf(req: PanelRequest) {
  return { ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null };
}
