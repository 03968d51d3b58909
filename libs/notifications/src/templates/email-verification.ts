import { formatDateTime } from './dates';
import { compose, MailTemplate } from './layout';

export interface EmailVerificationData {
  /** The one-time link (carries its own token). */
  readonly verifyUrl: string;
  readonly expiresAt: Date;
}

export const category = 'notice';

export const render: MailTemplate<EmailVerificationData>['render'] = (data, ctx) =>
  compose(ctx, `Confirm your email address for ${ctx.panelName}`, [
    { p: `Please confirm that this is your email address by opening the link below.` },
    { link: data.verifyUrl, label: 'Confirm my email address' },
    {
      p: `The link works once and expires on ${formatDateTime(data.expiresAt)}. If you did not sign up, ignore this email.`,
    },
  ]);
