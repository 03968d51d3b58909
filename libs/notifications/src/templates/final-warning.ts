import { formatCents } from '@ozvps/core';
import { formatDateTime } from './dates';
import { compose, MailTemplate } from './layout';

export interface FinalWarningData {
  readonly serverId: number;
  readonly hostname: string;
  readonly amountDueCents: number;
  readonly shortfallCents: number;
  readonly terminatesAt: Date;
}

export const category = 'notice';

export const render: MailTemplate<FinalWarningData>['render'] = (data, ctx) => {
  const money = (c: number) => formatCents(c, ctx.currency);
  return compose(
    ctx,
    `Final warning: ${data.hostname} will be deleted on ${formatDateTime(data.terminatesAt)}`,
    [
      {
        p:
          `Your server ${data.hostname} is suspended with its renewal of ${money(data.amountDueCents)} unpaid. ` +
          `On ${formatDateTime(data.terminatesAt)} it is deleted, with all its data; this cannot be undone.`,
      },
      {
        facts: [
          ['Server', data.hostname],
          ['Short by', money(data.shortfallCents)],
          ['Deleted on', formatDateTime(data.terminatesAt)],
        ],
      },
      {
        p: `Top up at least ${money(data.shortfallCents)} before then to keep it: it is unsuspended automatically.`,
      },
      { link: `${ctx.appUrl}/wallet`, label: 'Top up your wallet' },
    ],
  );
};
