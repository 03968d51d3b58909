import { compose, MailTemplate } from './layout';

export interface WelcomeData {
  readonly name: string;
}

export const category = 'notice';

export const render: MailTemplate<WelcomeData>['render'] = (data, ctx) =>
  compose(ctx, `Welcome to ${ctx.panelName}`, [
    { p: `Hello${data.name ? ` ${data.name}` : ''},` },
    {
      p: `Your ${ctx.panelName} account is ready. Top up your wallet, then deploy a server whenever you like.`,
    },
    { link: `${ctx.appUrl}/wallet`, label: 'Open your wallet' },
  ]);
