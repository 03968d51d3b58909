import * as adminAlert from './admin-alert';
import { MailTemplate } from './layout';
import * as refundAdjustment from './refund-adjustment';
import * as test from './test';
import * as topupReceived from './topup-received';
import * as welcome from './welcome';

/** Every kind of message and the data its template needs. A new kind: one template file, one line here. */
export interface MailDataByKind {
  welcome: welcome.WelcomeData;
  'topup-received': topupReceived.TopupReceivedData;
  'refund-adjustment': refundAdjustment.RefundAdjustmentData;
  'admin-alert': adminAlert.AdminAlertData;
  test: test.TestMailData;
}

export type MailKind = keyof MailDataByKind;

/** MailKind -> its template; the type makes a kind without a template a compile error. */
export const TEMPLATES: { readonly [K in MailKind]: MailTemplate<MailDataByKind[K]> } = {
  welcome,
  'topup-received': topupReceived,
  'refund-adjustment': refundAdjustment,
  'admin-alert': adminAlert,
  test,
};

export const MAIL_KINDS = Object.keys(TEMPLATES) as MailKind[];

export type { MailCategory, MailTemplate, RenderedMail, TemplateContext } from './layout';
export { escapeHtml } from './layout';
