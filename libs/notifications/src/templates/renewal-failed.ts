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
  /** When the message was written: a renewal found late may already be past its grace. */
  readonly writtenAt: Date;
}

export const category = 'notice';

export const render: MailTemplate<RenewalFailedData>['render'] = (data, ctx) => {
  const money = (c: number) => formatCents(c, ctx.currency);
  const late = data.graceEndsAt.getTime() <= data.writtenAt.getTime();
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
        [late ? 'Suspension' : 'Will be suspended at', late ? 'due now' : formatDateTime(data.graceEndsAt)],
      ],
    },
    late
      ? {
          p:
            `The time to top up has passed: top up at least ${money(data.shortfallCents)} now. ` +
            'The renewal is charged as soon as the money arrives; until then the server can be suspended at any moment.',
        }
      : {
          p:
            `Top up at least ${money(data.shortfallCents)} before ${formatDateTime(data.graceEndsAt)}: ` +
            'the renewal is charged as soon as the money arrives. Otherwise the server is suspended then.',
        },
    { link: `${ctx.appUrl}/wallet`, label: 'Top up your wallet' },
  ]);
};
