import { compose, MailTemplate } from './layout';

export interface TestMailData {
  /** Who asked for it (an admin's email or "ozvpsctl"), so the recipient knows why it came. */
  readonly requestedBy: string;
}

export const category = 'notice';

export const render: MailTemplate<TestMailData>['render'] = (data, ctx) =>
  compose(ctx, `${ctx.panelName} test message`, [
    { p: `This is a test message from ${ctx.panelName}, sent at the request of ${data.requestedBy}.` },
    { p: 'If you can read it, the panel can send email.' },
  ]);
