import { formatDateTime } from './dates';
import { compose, MailTemplate } from './layout';

export interface PasswordChangedData {
  readonly changedAt: Date;
  /** How it was changed: with a reset link, or on the account page with the old password. */
  readonly how: 'reset' | 'account';
}

export const category = 'notice';

export const render: MailTemplate<PasswordChangedData>['render'] = (data, ctx) =>
  compose(ctx, `Your ${ctx.panelName} password was changed`, [
    {
      p:
        `The password of your account was changed on ${formatDateTime(data.changedAt)}` +
        (data.how === 'reset' ? ' with a password-reset link' : ' from your account page') +
        (data.how === 'reset' ? '. Every session was signed out.' : '. Your other sessions were signed out.'),
    },
    {
      p: `If this was not you, reset your password now and contact ${ctx.supportEmail}.`,
    },
    { link: `${ctx.appUrl}/forgot-password`, label: 'Reset my password' },
  ]);
