import { Inject, Injectable, Logger } from '@nestjs/common';
import type * as OpenIdClient from 'openid-client';
import { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  AppConfig,
  ConflictError,
  DomainError,
  NotFoundError,
  OidcConfig,
  stripControlCharacters,
  UnauthenticatedError,
} from '@ozvps/core';
import { AuthService, ClientInfo, CredentialsService, IssuedSession, User, UsersService } from '@ozvps/users';
import { AccountsService } from './accounts.service';

export class OidcNotConfiguredError extends NotFoundError {
  override readonly code = 'oidc_not_configured';

  constructor() {
    super('Sign-in with an identity provider is not configured on this panel');
  }
}

/** The provider's answer could not be verified (state, nonce, PKCE, signature) or lacked what we need. */
export class OidcSignInError extends UnauthenticatedError {
  override readonly code = 'oidc_failed';
}

export class OidcUnavailableError extends DomainError {
  readonly code = 'oidc_unavailable';
}

/** What the browser must keep between leaving for the provider and coming back (httpOnly cookie). */
export interface OidcAttempt {
  state: string;
  nonce: string;
  codeVerifier: string;
}

type Client = typeof OpenIdClient;

/**
 * Sign-in with Auth0 or any OpenID provider: authorization code + PKCE, with state and nonce.
 * The provider's `sub` is kept in users.auth0_sub; an existing account with the same *verified*
 * email is linked rather than duplicated.
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger('OIDC');
  private client?: Promise<Client>;
  private configuration?: Promise<OpenIdClient.Configuration>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly accounts: AccountsService,
    private readonly credentials: CredentialsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The provider's label for the sign-in button, or null when OIDC is off. */
  providerName(): string | null {
    return this.config.oidc?.providerName ?? null;
  }

  /** Where to send the browser, and what it must bring back. */
  async begin(): Promise<{ url: string; attempt: OidcAttempt }> {
    const oidc = this.requireConfig();
    const [client, configuration] = await Promise.all([this.loadClient(), this.discover(oidc)]);
    const attempt: OidcAttempt = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri(),
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(attempt.codeVerifier),
      code_challenge_method: 'S256',
      state: attempt.state,
      nonce: attempt.nonce,
    });
    return { url: url.href, attempt };
  }

  /** Completes the code flow from the provider's redirect and opens a panel session. */
  async complete(
    callbackUrl: string,
    attempt: OidcAttempt | undefined,
    client: ClientInfo = {},
  ): Promise<IssuedSession> {
    const oidc = this.requireConfig();
    if (!attempt)
      throw new OidcSignInError('The sign-in attempt expired or was started in another browser: try again');
    const [lib, configuration] = await Promise.all([this.loadClient(), this.discover(oidc)]);
    let claims: OpenIdClient.IDToken | undefined;
    try {
      const tokens = await lib.authorizationCodeGrant(configuration, new URL(callbackUrl), {
        pkceCodeVerifier: attempt.codeVerifier,
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (err) {
      this.logger.warn(`sign-in refused: ${(err as Error).message}`);
      throw new OidcSignInError('The identity provider’s answer could not be verified: try again');
    }
    if (!claims?.sub) throw new OidcSignInError('The identity provider did not say who you are');
    const user = await this.userFor(claims);
    return this.auth.startSession(user, client);
  }

  private async userFor(claims: OpenIdClient.IDToken): Promise<User> {
    const sub = String(claims.sub);
    const known = await this.users.findByAuth0Sub(sub);
    if (known) return known;
    const email = typeof claims.email === 'string' ? claims.email : undefined;
    const verified = claims.email_verified === true;
    if (!email) throw new OidcSignInError('The identity provider did not share an email address');
    const linked = await this.dataSource.transaction(async (em) => {
      const existing = await this.users.findByEmail(email, em);
      if (!existing) return null;
      if (!verified) {
        throw new ConflictError(
          `An account for ${email} exists; the provider has not verified that email, so sign in with your password`,
        );
      }
      if (existing.auth0Sub && existing.auth0Sub !== sub) {
        throw new ConflictError(`The account for ${email} is linked to another identity`);
      }
      // The provider vouches for the address: the account it links to counts as verified.
      await this.credentials.markEmailVerified(existing.id, existing.email, em);
      return this.users.linkAuth0Sub(existing, sub, em);
    });
    if (linked) return linked;
    return this.accounts.createFromIdentityProvider({
      email,
      name: typeof claims.name === 'string' ? stripControlCharacters(claims.name) : undefined,
      auth0Sub: sub,
      emailVerified: verified,
    });
  }

  private requireConfig(): OidcConfig {
    if (!this.config.oidc) throw new OidcNotConfiguredError();
    return this.config.oidc;
  }

  private redirectUri(): string {
    return `${this.config.appUrl}/api/auth/oidc/callback`;
  }

  private loadClient(): Promise<Client> {
    // openid-client is ESM-only; a specifier TypeScript does not rewrite keeps it a real require().
    const specifier = 'openid-client';
    this.client ??= import(specifier) as Promise<Client>;
    return this.client;
  }

  /** Discovery is cached once it succeeds; a failure is retried on the next sign-in. */
  private discover(oidc: OidcConfig): Promise<OpenIdClient.Configuration> {
    this.configuration ??= this.loadClient()
      .then((client) => {
        const issuer = new URL(oidc.issuerUrl);
        const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
        return client.discovery(issuer, oidc.clientId, oidc.clientSecret, undefined, {
          // Plain http only for a provider on this machine (tests, the local sandbox).
          execute: loopback && issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
        });
      })
      .catch((err: Error) => {
        this.configuration = undefined;
        throw new OidcUnavailableError(
          `The identity provider at ${oidc.issuerUrl} is unavailable: ${err.message}`,
        );
      });
    return this.configuration;
  }
}
