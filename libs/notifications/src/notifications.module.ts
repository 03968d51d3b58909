import { Module } from '@nestjs/common';
import { CLOCK, systemClock } from '@ozvps/core';
import { AdminAlertsRepository } from './admin-alerts.repository';
import { AdminAlerts } from './admin-alerts.service';
import { MailAdminService } from './mail-admin.service';
import { MailSender } from './mail-sender.service';
import { MailTransport } from './mail-transport';
import { OutboxRepository } from './outbox.repository';
import { Outbox } from './outbox.service';

@Module({
  providers: [
    { provide: CLOCK, useValue: systemClock },
    OutboxRepository,
    Outbox,
    MailTransport,
    MailSender,
    MailAdminService,
    AdminAlertsRepository,
    AdminAlerts,
  ],
  exports: [Outbox, MailSender, MailAdminService, AdminAlerts],
})
export class NotificationsModule {}
