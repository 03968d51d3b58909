import { formatDateTime } from './dates';
import { compose, MailTemplate } from './layout';

export interface EmailChangeData {
  /** The one-time link (carries its own token). */
  readonly confirmUrl: string;
  readonly expiresAt: Date;
}

export const category = 'notice';

export const render: MailTemplate<EmailChangeData>['render'] = (data, ctx) =>
  compose(ctx, `Confirm your new email address for ${ctx.panelName}`, [
    {
      p: `Someone asked to use this address for their ${ctx.panelName} account. Open the link to confirm it.`,
    },
    { link: data.confirmUrl, label: 'Use this email address' },
    {
      p: `The link works once and expires on ${formatDateTime(data.expiresAt)}. If you did not ask for this, ignore this email.`,
    },
  ]);
