import { compose, MailTemplate } from './layout';

export interface TerminatedData {
  readonly serverId: number;
  readonly hostname: string;
  /** overdue: its renewal stayed unpaid; admin: our team deleted it; cancelled: its owner cancelled it at the end of the paid period. */
  readonly reason: 'overdue' | 'admin' | 'cancelled';
}

export const category = 'notice';

const WHAT_HAPPENED: Record<TerminatedData['reason'], (hostname: string) => string> = {
  overdue: (h) =>
    `Your server ${h} was suspended with its renewal unpaid, and has now been deleted with its data.`,
  admin: (h) => `Our team has deleted your server ${h} with its data.`,
  cancelled: (h) =>
    `As you asked, your server ${h} has been deleted with its data now that its paid period has ended.`,
};

export const render: MailTemplate<TerminatedData>['render'] = (data, ctx) =>
  compose(ctx, `Your server ${data.hostname} has been deleted`, [
    { p: WHAT_HAPPENED[data.reason](data.hostname) },
    {
      p:
        data.reason === 'admin'
          ? `Nothing more will be charged for it. Please contact ${ctx.panelName} support at ${ctx.supportEmail} with any questions.`
          : 'Nothing more will be charged for it. You can deploy a new server from the panel at any time.',
    },
    { link: `${ctx.appUrl}/servers`, label: 'Your servers' },
  ]);
