import { formatCents } from '@ozvps/core';
import { formatDate } from './dates';
import { compose, MailTemplate } from './layout';

export interface PriceChangeData {
  readonly serverId: number;
  readonly hostname: string;
  readonly oldCents: number;
  readonly newCents: number;
  /** The renewal from which the new price is charged. */
  readonly from: Date;
  /**
   * The change announced for `from` (to `newCents`) is called off: the server keeps `oldCents`.
   * Absent: a change is announced.
   */
  readonly cancelled?: boolean;
}

export const category = 'notice';

export const render: MailTemplate<PriceChangeData>['render'] = (data, ctx) => {
  const money = (c: number) => formatCents(c, ctx.currency);
  if (data.cancelled) {
    return compose(ctx, `Price change for ${data.hostname} on ${formatDate(data.from)} cancelled`, [
      {
        p:
          `The price change announced for ${formatDate(data.from)} is cancelled; you keep paying ` +
          `${money(data.oldCents)} a month for your server ${data.hostname}.`,
      },
      {
        facts: [
          ['Server', data.hostname],
          ['Price', `${money(data.oldCents)} a month (unchanged)`],
          ['Cancelled change', `${money(data.newCents)} a month from ${formatDate(data.from)}`],
        ],
      },
      { link: `${ctx.appUrl}/servers/${data.serverId}`, label: 'Open the server page' },
    ]);
  }
  return compose(ctx, `Price change for ${data.hostname} from ${formatDate(data.from)}`, [
    {
      p:
        `The monthly price of your server ${data.hostname} changes from ${money(data.oldCents)} to ` +
        `${money(data.newCents)}, from its renewal on ${formatDate(data.from)}. Until then it stays ${money(data.oldCents)}.`,
    },
    {
      facts: [
        ['Server', data.hostname],
        ['Current price', `${money(data.oldCents)} a month`],
        ['New price', `${money(data.newCents)} a month`],
        ['From the renewal on', formatDate(data.from)],
      ],
    },
    { link: `${ctx.appUrl}/servers/${data.serverId}`, label: 'Open the server page' },
  ]);
};
