import { formatDateTime } from './dates';
import { compose, MailTemplate } from './layout';

export interface TwoFactorResetData {
  readonly resetAt: Date;
}

export const category = 'notice';

export const render: MailTemplate<TwoFactorResetData>['render'] = (data, ctx) =>
  compose(ctx, `Two-factor sign-in was turned off on your ${ctx.panelName} account`, [
    {
      p:
        `An administrator turned off two-factor sign-in on your account on ${formatDateTime(data.resetAt)} ` +
        'and signed out every session. You can now sign in with your password alone.',
    },
    { p: 'Set up two-factor sign-in again from your account page.' },
    { link: `${ctx.appUrl}/account`, label: 'Open your account' },
    {
      p: `If you did not ask for this, write to ${ctx.supportEmail} straight away and change your password.`,
    },
  ]);
