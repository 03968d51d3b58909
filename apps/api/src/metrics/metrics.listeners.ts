import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { VIRTFUSION_CALL, VirtFusionCallEvent } from '@ozvps/virtfusion';
import { LEDGER_CHANGED, LedgerChangedEvent } from '@ozvps/wallet';
import { PanelMetrics } from './panel-metrics';

/** What the libs announce, counted: committed ledger rows and VirtFusion calls. */
@Injectable()
export class MetricsListeners {
  constructor(private readonly metrics: PanelMetrics) {}

  @OnEvent(LEDGER_CHANGED)
  ledgerChanged(event: LedgerChangedEvent): void {
    const labels = { direction: event.amountCents >= 0 ? 'credit' : 'debit', type: event.type };
    this.metrics.ledgerRows.inc(labels);
    this.metrics.ledgerCents.inc(labels, Math.abs(event.amountCents));
  }

  @OnEvent(VIRTFUSION_CALL)
  virtfusionCall(event: VirtFusionCallEvent): void {
    const labels = { method: event.method, path: event.path, outcome: event.outcome };
    this.metrics.virtfusionCalls.observe(labels, event.seconds);
    if (event.outcome !== 'ok') this.metrics.virtfusionErrors.inc(labels);
  }
}
