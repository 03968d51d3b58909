import { compose, MailTemplate } from './layout';

export interface EmailChangeNoticeData {
  /** The address the account is to move to (it changes only when that address confirms). */
  readonly newEmail: string;
}

export const category = 'notice';

export const render: MailTemplate<EmailChangeNoticeData>['render'] = (data, ctx) =>
  compose(ctx, `A change of email was requested on your ${ctx.panelName} account`, [
    {
      p: `Someone signed in to your account asked to change its email address to ${data.newEmail}. The change happens only when that address confirms it.`,
    },
    { p: `If this was not you, change your password now and contact ${ctx.supportEmail}.` },
    { link: `${ctx.appUrl}/account`, label: 'Open your account' },
  ]);
