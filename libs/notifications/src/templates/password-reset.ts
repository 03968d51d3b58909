import { formatDateTime } from './dates';
import { compose, MailTemplate } from './layout';

export interface PasswordResetData {
  /** The one-time link (carries its own token). */
  readonly resetUrl: string;
  readonly expiresAt: Date;
}

export const category = 'notice';

export const render: MailTemplate<PasswordResetData>['render'] = (data, ctx) =>
  compose(ctx, `Reset your ${ctx.panelName} password`, [
    { p: 'Someone (hopefully you) asked to reset the password of your account.' },
    { link: data.resetUrl, label: 'Choose a new password' },
    {
      p:
        `The link works once and expires on ${formatDateTime(data.expiresAt)}. ` +
        'If you did not ask for this, ignore this email: your password stays as it is.',
    },
  ]);
