import { Module } from '@nestjs/common';
import { CLOCK, systemClock } from '@ozvps/core';
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
  ],
  exports: [Outbox, MailSender, MailAdminService],
})
export class NotificationsModule {}
