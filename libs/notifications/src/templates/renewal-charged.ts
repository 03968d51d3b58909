import { formatCents } from '@ozvps/core';
import { formatDate } from './dates';
import { compose, documentLink, MailTemplate } from './layout';

export interface RenewalChargedData {
  readonly serverId: number;
  readonly hostname: string;
  readonly amountCents: number;
  readonly periodFrom: Date;
  readonly periodTo: Date;
  /** The wallet balance after this charge. */
  readonly balanceCents: number;
  /** The invoice issued for this renewal (absent in messages written before documents existed). */
  readonly documentNumber?: string | null;
}

export const category = 'receipt';

export const render: MailTemplate<RenewalChargedData>['render'] = (data, ctx) => {
  const amount = formatCents(data.amountCents, ctx.currency);
  return compose(ctx, `Receipt: ${data.hostname} renewed for ${amount}`, [
    { p: `Your server ${data.hostname} was renewed from your wallet.` },
    {
      facts: [
        ['Server', data.hostname],
        ['Amount', amount],
        ['Period', `${formatDate(data.periodFrom)} to ${formatDate(data.periodTo)}`],
        ['New balance', formatCents(data.balanceCents, ctx.currency)],
      ],
    },
    ...(data.documentNumber
      ? [
          {
            link: documentLink(ctx.appUrl, data.documentNumber),
            label: `Your invoice ${data.documentNumber}`,
          },
        ]
      : []),
    { link: `${ctx.appUrl}/wallet`, label: 'See your wallet' },
    { p: `You can switch these receipts off on your Billing page: ${ctx.appUrl}/billing` },
  ]);
};
