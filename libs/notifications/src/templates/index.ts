import * as adminAlert from './admin-alert';
import * as emailChange from './email-change';
import * as emailChangeNotice from './email-change-notice';
import * as emailVerification from './email-verification';
import * as finalWarning from './final-warning';
import { MailTemplate } from './layout';
import * as passwordChanged from './password-changed';
import * as passwordReset from './password-reset';
import * as priceChange from './price-change';
import * as refundAdjustment from './refund-adjustment';
import * as renewalCharged from './renewal-charged';
import * as renewalFailed from './renewal-failed';
import * as renewalReminder from './renewal-reminder';
import * as serverReady from './server-ready';
import * as suspended from './suspended';
import * as terminated from './terminated';
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
  'server-ready': serverReady.ServerReadyData;
  'renewal-reminder': renewalReminder.RenewalReminderData;
  'renewal-charged': renewalCharged.RenewalChargedData;
  'renewal-failed': renewalFailed.RenewalFailedData;
  suspended: suspended.SuspendedData;
  'final-warning': finalWarning.FinalWarningData;
  terminated: terminated.TerminatedData;
  'price-change': priceChange.PriceChangeData;
  'email-verification': emailVerification.EmailVerificationData;
  'password-reset': passwordReset.PasswordResetData;
  'password-changed': passwordChanged.PasswordChangedData;
  'email-change': emailChange.EmailChangeData;
  'email-change-notice': emailChangeNotice.EmailChangeNoticeData;
}

export type MailKind = keyof MailDataByKind;

/** MailKind -> its template; the type makes a kind without a template a compile error. */
export const TEMPLATES: { readonly [K in MailKind]: MailTemplate<MailDataByKind[K]> } = {
  welcome,
  'topup-received': topupReceived,
  'refund-adjustment': refundAdjustment,
  'admin-alert': adminAlert,
  test,
  'server-ready': serverReady,
  'renewal-reminder': renewalReminder,
  'renewal-charged': renewalCharged,
  'renewal-failed': renewalFailed,
  suspended,
  'final-warning': finalWarning,
  terminated,
  'price-change': priceChange,
  'email-verification': emailVerification,
  'password-reset': passwordReset,
  'password-changed': passwordChanged,
  'email-change': emailChange,
  'email-change-notice': emailChangeNotice,
};

export const MAIL_KINDS = Object.keys(TEMPLATES) as MailKind[];

export type { MailCategory, MailTemplate, RenderedMail, TemplateContext } from './layout';
export { escapeHtml } from './layout';
