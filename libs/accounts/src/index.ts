export * from './accounts.module';
export { AccountsService } from './accounts.service';
export type { SignupInput } from './accounts.service';
export { OidcService, OidcNotConfiguredError, OidcSignInError, OidcUnavailableError } from './oidc.service';
export type { OidcAttempt } from './oidc.service';
export { SignupRefusedError, EmailUnverifiedError, AccountTokenError, EmailUnchangedError } from './errors';
export type { AccountTokenProblem } from './errors';
export { EmailVerificationService, VERIFY_EMAIL_TTL_MS } from './email-verification.service';
export type { VerifiedLink } from './email-verification.service';
export { PasswordResetService, RESET_PASSWORD_TTL_MS } from './password-reset.service';
export { AccountSecurityService } from './account-security.service';
export { AccountToken, TOKEN_PURPOSES } from './account-token.entity';
export type { TokenPurpose } from './account-token.entity';

import { AccountToken } from './account-token.entity';
export const ACCOUNTS_ENTITIES = [AccountToken];
