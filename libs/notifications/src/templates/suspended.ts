import { formatCents } from '@ozvps/core';
import { formatDateTime } from './dates';
import { Block, compose, MailTemplate } from './layout';

export type SuspendedData =
  | {
      readonly reason: 'overdue';
      readonly serverId: number;
      readonly hostname: string;
      readonly amountDueCents: number;
      readonly shortfallCents: number;
      /** When it is deleted if the renewal stays unpaid. */
      readonly terminatesAt: Date;
    }
  | {
      readonly reason: 'admin';
      readonly serverId: number;
      readonly hostname: string;
    };

export const category = 'notice';

export const render: MailTemplate<SuspendedData>['render'] = (data, ctx) => {
  const page: Block = { link: `${ctx.appUrl}/servers/${data.serverId}`, label: 'Open the server page' };
  if (data.reason === 'admin') {
    return compose(ctx, `Your server ${data.hostname} is suspended`, [
      { p: `Our team has suspended your server ${data.hostname}. It is stopped and cannot be started.` },
      {
        p: `Please contact ${ctx.panelName} support at ${ctx.supportEmail} to find out why and what is needed to get it back.`,
      },
      page,
    ]);
  }
  const money = (c: number) => formatCents(c, ctx.currency);
  return compose(ctx, `Your server ${data.hostname} is suspended: renewal unpaid`, [
    {
      p: `Your server ${data.hostname} is suspended because its renewal of ${money(data.amountDueCents)} is unpaid.`,
    },
    {
      facts: [
        ['Server', data.hostname],
        ['Renewal due', money(data.amountDueCents)],
        ['Short by', money(data.shortfallCents)],
        ['Deleted on', formatDateTime(data.terminatesAt)],
      ],
    },
    {
      p:
        `Top up at least ${money(data.shortfallCents)}: the renewal is charged and the server unsuspended ` +
        `automatically. If it is still unpaid on ${formatDateTime(data.terminatesAt)}, the server and its data are deleted.`,
    },
    { link: `${ctx.appUrl}/wallet`, label: 'Top up your wallet' },
  ]);
};
