import { formatCents } from '@ozvps/core';
import { formatDateTime } from './dates';
import { compose, MailTemplate } from './layout';

export interface RenewalReminderData {
  readonly serverId: number;
  readonly hostname: string;
  readonly renewsAt: Date;
  /** What that renewal will charge (a scheduled price change included). */
  readonly priceCents: number;
  readonly balanceCents: number;
  /** What the wallet lacks to pay it (after the customer's earlier renewals in the same window). */
  readonly shortfallCents: number;
  /** What the customer's other renewals due before this one take of the balance (0: none). */
  readonly earlierRenewalsCents?: number;
  readonly graceHours: number;
}

export const category = 'notice';

export const render: MailTemplate<RenewalReminderData>['render'] = (data, ctx) => {
  const money = (c: number) => formatCents(c, ctx.currency);
  return compose(ctx, `Top up ${money(data.shortfallCents)} before ${data.hostname} renews`, [
    {
      p:
        `Your server ${data.hostname} renews on ${formatDateTime(data.renewsAt)} for ${money(data.priceCents)}, ` +
        `and your wallet does not cover it yet.`,
    },
    {
      facts: [
        ['Server', data.hostname],
        ['Renews', formatDateTime(data.renewsAt)],
        ['Renewal price', money(data.priceCents)],
        ['Wallet balance', money(data.balanceCents)],
        ['Short by', money(data.shortfallCents)],
      ],
    },
    ...(data.earlierRenewalsCents
      ? [
          {
            p: `Your other renewals due first take ${money(data.earlierRenewalsCents)} of that balance.`,
          },
        ]
      : []),
    {
      p:
        `Top up at least ${money(data.shortfallCents)} before then. An unpaid renewal waits ${data.graceHours} hours, ` +
        'then the server is suspended.',
    },
    { link: `${ctx.appUrl}/wallet`, label: 'Top up your wallet' },
  ]);
};
