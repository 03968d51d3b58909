import { SetMetadata } from '@nestjs/common';

export const TOKEN_RATE_LIMITED = 'ozvps:token-rate-limited';
export const MAIL_RATE_LIMITED = 'ozvps:mail-rate-limited';
export const REQUIRES_VERIFIED_EMAIL = 'ozvps:requires-verified-email';

/** Counts toward the per-address limit on emailed-link and password-check endpoints. */
export const TokenRateLimited = () => SetMetadata(TOKEN_RATE_LIMITED, true);

/** Sends an email: counts toward the per-recipient (or per-session) limit on such messages. */
export const MailRateLimited = () => SetMetadata(MAIL_RATE_LIMITED, true);

/** Refused (403 email_unverified) until the signed-in user has confirmed their email address. */
export const RequiresVerifiedEmail = () => SetMetadata(REQUIRES_VERIFIED_EMAIL, true);
