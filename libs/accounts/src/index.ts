export * from './accounts.module';
export { AccountsService } from './accounts.service';
export type { SignupInput } from './accounts.service';
export { OidcService, OidcNotConfiguredError, OidcSignInError, OidcUnavailableError } from './oidc.service';
export type { OidcAttempt } from './oidc.service';
export { SignupRefusedError } from './errors';
export { TwoFactorResetService } from './two-factor-reset.service';
export type { TwoFactorResetResult } from './two-factor-reset.service';
