import { compose, MailTemplate } from './layout';

export interface TerminatedData {
  readonly serverId: number;
  readonly hostname: string;
  /** overdue: its renewal stayed unpaid; admin: our team deleted it. */
  readonly reason: 'overdue' | 'admin';
}

export const category = 'notice';

export const render: MailTemplate<TerminatedData>['render'] = (data, ctx) =>
  compose(ctx, `Your server ${data.hostname} has been deleted`, [
    {
      p:
        data.reason === 'overdue'
          ? `Your server ${data.hostname} was suspended with its renewal unpaid, and has now been deleted with its data.`
          : `Our team has deleted your server ${data.hostname} with its data.`,
    },
    {
      p:
        data.reason === 'overdue'
          ? 'Nothing more will be charged for it. You can deploy a new server from the panel at any time.'
          : `Nothing more will be charged for it. Please contact ${ctx.panelName} support with any questions.`,
    },
    { link: `${ctx.appUrl}/servers`, label: 'Your servers' },
  ]);
