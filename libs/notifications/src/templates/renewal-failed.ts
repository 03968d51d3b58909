import { formatCents } from '@ozvps/core';
import { formatDateTime } from './dates';
import { compose, MailTemplate } from './layout';

export interface RenewalFailedData {
  readonly serverId: number;
  readonly hostname: string;
  readonly amountCents: number;
  readonly balanceCents: number;
  readonly shortfallCents: number;
  readonly dueAt: Date;
  /** When the server is suspended if the renewal is still unpaid. */
  readonly graceEndsAt: Date;
}

export const category = 'notice';

export const render: MailTemplate<RenewalFailedData>['render'] = (data, ctx) => {
  const money = (c: number) => formatCents(c, ctx.currency);
  return compose(ctx, `Payment overdue: top up ${money(data.shortfallCents)} to keep ${data.hostname}`, [
    {
      p:
        `The renewal of your server ${data.hostname} (${money(data.amountCents)}) was due on ` +
        `${formatDateTime(data.dueAt)}, and your wallet did not cover it.`,
    },
    {
      facts: [
        ['Server', data.hostname],
        ['Renewal', money(data.amountCents)],
        ['Wallet balance', money(data.balanceCents)],
        ['Short by', money(data.shortfallCents)],
        ['Suspended at', formatDateTime(data.graceEndsAt)],
      ],
    },
    {
      p:
        `Top up at least ${money(data.shortfallCents)} before ${formatDateTime(data.graceEndsAt)}: ` +
        'the renewal is charged as soon as the money arrives. Otherwise the server is suspended then.',
    },
    { link: `${ctx.appUrl}/wallet`, label: 'Top up your wallet' },
  ]);
};
