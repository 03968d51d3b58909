export * from './errors';
export * from './outbox-message.entity';
export * from './service-outage.entity';
export { AdminAlerts, OUTAGE_ALERT_AFTER_MS } from './admin-alerts.service';
export { NotificationsModule } from './notifications.module';
export { Outbox, RETRY_FOR_MS } from './outbox.service';
export type { MailInput } from './outbox.service';
export { MailSender } from './mail-sender.service';
export type { SendRunResult } from './mail-sender.service';
export { MailAdminService } from './mail-admin.service';
export type { MailListQuery, TestMailResult } from './mail-admin.service';
export { toMailDetail, toMailPage, toMailSummary } from './mail.view';
export type { MailDetail, MailSummary } from './mail.view';
export { MAIL_KINDS, TEMPLATES, escapeHtml } from './templates';
export type {
  MailCategory,
  MailDataByKind,
  MailKind,
  MailTemplate,
  RenderedMail,
  TemplateContext,
} from './templates';

import { OutboxMessage } from './outbox-message.entity';
import { ServiceOutage } from './service-outage.entity';
export const NOTIFICATIONS_ENTITIES = [OutboxMessage, ServiceOutage];
