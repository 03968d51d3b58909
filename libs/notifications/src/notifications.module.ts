import { Module } from '@nestjs/common';
import { CLOCK, systemClock } from '@ozvps/core';
import { OutboxRepository } from './outbox.repository';
import { Outbox } from './outbox.service';

@Module({
  providers: [{ provide: CLOCK, useValue: systemClock }, OutboxRepository, Outbox],
  exports: [Outbox],
})
export class NotificationsModule {}
