import { Module } from '@nestjs/common';
import { CLOCK, systemClock } from '@ozvps/core';
import { AdminAlertsRepository } from './admin-alerts.repository';
import { AdminAlerts } from './admin-alerts.service';
import { OutboxRepository } from './outbox.repository';
import { Outbox } from './outbox.service';

@Module({
  providers: [
    { provide: CLOCK, useValue: systemClock },
    OutboxRepository,
    Outbox,
    AdminAlertsRepository,
    AdminAlerts,
  ],
  exports: [Outbox, AdminAlerts],
})
export class NotificationsModule {}
