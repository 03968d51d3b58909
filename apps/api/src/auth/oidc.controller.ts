import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { OidcAttempt, OidcService } from '@ozvps/accounts';
import { APP_CONFIG, AppConfig, DomainError } from '@ozvps/core';
import { AuthService } from '@ozvps/users';
import { Public } from './auth.decorators';
import { readCookie, setSessionCookie } from './session-cookie';
import type { PanelRequest } from './session.guard';

const ATTEMPT_COOKIE = 'ozvps_oidc';
const ATTEMPT_PATH = '/api/auth/oidc';
const ATTEMPT_TTL_MS = 10 * 60_000;

@Public()
@Controller('api/auth')
export class OidcController {
  constructor(
    private readonly oidc: OidcService,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Which ways to sign in this panel offers, for the sign-in page. */
  @Get('providers')
  providers(): { local: true; oidc: { name: string; loginUrl: string } | null } {
    const name = this.oidc.providerName();
    return { local: true, oidc: name ? { name, loginUrl: `${ATTEMPT_PATH}/login` } : null };
  }

  /** Sends the browser to the identity provider; state, nonce and PKCE verifier stay in an httpOnly cookie. */
  @Get('oidc/login')
  async login(@Res() res: Response): Promise<void> {
    let target: { url: string; attempt: OidcAttempt };
    try {
      target = await this.oidc.begin();
    } catch (err) {
      return this.failed(res, err);
    }
    res.cookie(ATTEMPT_COOKIE, Buffer.from(JSON.stringify(target.attempt)).toString('base64url'), {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.secureCookies,
      path: ATTEMPT_PATH,
      maxAge: ATTEMPT_TTL_MS,
    });
    res.redirect(302, target.url);
  }

  /** The provider's redirect back: verify everything, then sign in. */
  @Get('oidc/callback')
  async callback(@Req() req: PanelRequest, @Res() res: Response): Promise<void> {
    res.clearCookie(ATTEMPT_COOKIE, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.secureCookies,
      path: ATTEMPT_PATH,
    });
    try {
      const session = await this.oidc.complete(
        new URL(req.originalUrl, `${this.config.appUrl}/`).href,
        readAttempt(req),
        {
          ip: req.ip ?? null,
          userAgent: req.headers['user-agent'] ?? null,
        },
      );
      if (req.sessionToken) await this.auth.revoke(req.sessionToken);
      setSessionCookie(res, this.config, session.token, session.expiresAt);
      res.redirect(302, `${this.config.appUrl}/`);
    } catch (err) {
      this.failed(res, err);
    }
  }

  /** A browser navigation, not an API call: failures go back to the sign-in page with a reason code. */
  private failed(res: Response, err: unknown): void {
    if (!(err instanceof DomainError)) throw err;
    res.redirect(302, `${this.config.appUrl}/signin?error=${encodeURIComponent(err.code)}`);
  }
}

function readAttempt(req: Request): OidcAttempt | undefined {
  const raw = readCookie(req, ATTEMPT_COOKIE);
  if (!raw) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<OidcAttempt>;
    const ok = [value.state, value.nonce, value.codeVerifier].every(
      (v) => typeof v === 'string' && v.length >= 16 && v.length <= 200,
    );
    return ok ? (value as OidcAttempt) : undefined;
  } catch {
    return undefined;
  }
}
