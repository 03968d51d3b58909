import { formatCents } from '@ozvps/core';
import { compose, documentLink, MailTemplate } from './layout';

export interface TopupReceivedData {
  readonly amountCents: number;
  readonly balanceCents: number;
  /** The receipt issued for this top-up (absent in messages written before documents existed). */
  readonly documentNumber?: string | null;
}

export const category = 'receipt';

export const render: MailTemplate<TopupReceivedData>['render'] = (data, ctx) => {
  const amount = formatCents(data.amountCents, ctx.currency);
  return compose(ctx, `Top-up received: ${amount}`, [
    { p: `We received your payment and added it to your ${ctx.panelName} wallet.` },
    {
      facts: [
        ['Amount', amount],
        ['New balance', formatCents(data.balanceCents, ctx.currency)],
      ],
    },
    ...(data.documentNumber
      ? [
          {
            link: documentLink(ctx.appUrl, data.documentNumber),
            label: `Your receipt ${data.documentNumber}`,
          },
        ]
      : []),
    { link: `${ctx.appUrl}/wallet`, label: 'See your wallet' },
    { p: `You can switch these receipts off on your Billing page: ${ctx.appUrl}/billing` },
  ]);
};
