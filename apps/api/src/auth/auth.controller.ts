import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AccountsService } from '@ozvps/accounts';
import { APP_CONFIG, AppConfig } from '@ozvps/core';
import { AuthService, User } from '@ozvps/users';
import { AuthRateLimited, CurrentUser, Public } from './auth.decorators';
import { LoginDto, SignupDto } from './auth.dto';
import { clearSessionCookie, setSessionCookie } from './session-cookie';
import type { PanelRequest } from './session.guard';

export interface MeResponse {
  user: {
    id: number;
    email: string;
    name: string;
    role: User['role'];
    createdAt: string;
    emailVerified: boolean;
  };
}

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
  ): Promise<MeResponse> {
    const session = await this.auth.login(body.email, body.password, clientOf(req));
    // A fresh token on every sign-in, and whatever session the browser carried is ended: a token
    // planted before sign-in (session fixation) never becomes a signed-in session.
    await this.endPreviousSession(req);
    setSessionCookie(res, this.config, session.token, session.expiresAt);
    return meJson(session.user);
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: PanelRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.endPreviousSession(req);
    clearSessionCookie(res, this.config);
  }

  @Get('me')
  me(@CurrentUser() user: User): MeResponse {
    return meJson(user);
  }

  private async endPreviousSession(req: PanelRequest): Promise<void> {
    if (req.sessionToken) await this.auth.revoke(req.sessionToken);
  }
}

function clientOf(req: PanelRequest) {
  return { ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null };
}
