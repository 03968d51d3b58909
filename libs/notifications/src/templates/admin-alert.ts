import { compose, MailTemplate } from './layout';

export interface AdminAlertData {
  readonly title: string;
  readonly lines: readonly string[];
}

export const category = 'notice';

export const render: MailTemplate<AdminAlertData>['render'] = (data, ctx) =>
  compose(ctx, `[${ctx.panelName} alert] ${data.title}`, [
    ...data.lines.map((p) => ({ p })),
    { link: `${ctx.appUrl}/admin`, label: 'Open the admin panel' },
  ]);
