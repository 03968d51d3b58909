import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AdminAlerts } from '@ozvps/notifications';
import { VIRTFUSION_REACHABILITY, VirtFusionReachabilityEvent } from '@ozvps/virtfusion';

/**
 * Whatever talks to VirtFusion (plan sync, sweep, renewals, deploys) reports through the client
 * whether it answered; an outage that lasts 15 minutes becomes one admin alert (AdminAlerts).
 */
@Injectable()
export class VirtFusionReachabilityHandler {
  private readonly logger = new Logger('VirtFusionHealth');

  constructor(private readonly alerts: AdminAlerts) {}

  @OnEvent(VIRTFUSION_REACHABILITY, { async: true })
  async handle(event: VirtFusionReachabilityEvent): Promise<void> {
    try {
      if (event.reachable) await this.alerts.serviceReachable('virtfusion');
      else if (await this.alerts.serviceFailing('virtfusion', event.detail ?? 'unreachable'))
        this.logger.error('VirtFusion unreachable for 15 minutes: admins alerted');
    } catch (err) {
      this.logger.error(`could not record VirtFusion's state: ${(err as Error).message}`);
    }
  }
}
