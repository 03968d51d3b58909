import { formatCents } from '@ozvps/core';
import { compose, MailTemplate } from './layout';

export interface TopupReceivedData {
  readonly amountCents: number;
  readonly balanceCents: number;
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
    { link: `${ctx.appUrl}/wallet`, label: 'See your wallet' },
    { p: `You can switch these receipts off on your Billing page: ${ctx.appUrl}/billing` },
  ]);
};
