import { formatCents } from '@ozvps/core';
import { compose, MailTemplate } from './layout';

export interface RefundAdjustmentData {
  /** Why the balance changed: a refund, a dispute that took the money, or one that returned it. */
  readonly reason: 'refund' | 'dispute-withdrawn' | 'dispute-reinstated';
  /** Positive: how much left (refund, withdrawn) or came back (reinstated). */
  readonly amountCents: number;
  readonly balanceCents: number;
}

export const category = 'notice';

const WHAT = {
  refund: 'A refund of your top-up was made, so its amount was taken back from your wallet.',
  'dispute-withdrawn':
    'A payment dispute was opened on your top-up, so its amount was taken back from your wallet.',
  'dispute-reinstated':
    'A payment dispute on your top-up was resolved in your favour, so its amount was returned to your wallet.',
} as const;

export const render: MailTemplate<RefundAdjustmentData>['render'] = (data, ctx) => {
  const amount = formatCents(data.amountCents, ctx.currency);
  const returned = data.reason === 'dispute-reinstated';
  const blocks = [
    { p: WHAT[data.reason] },
    {
      facts: [
        [returned ? 'Returned' : 'Taken back', amount],
        ['New balance', formatCents(data.balanceCents, ctx.currency)],
      ] as const,
    },
    ...(data.balanceCents < 0
      ? [{ p: 'Your balance is below zero: renewals will fail until you top up.' }]
      : []),
    { link: `${ctx.appUrl}/wallet`, label: 'See your wallet' },
  ];
  return compose(
    ctx,
    returned ? `Wallet adjustment: ${amount} returned` : `Wallet adjustment: ${amount} taken back`,
    blocks,
  );
};
