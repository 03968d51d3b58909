export * from './errors';
export * from './server.entity';
export * from './server-action.entity';
export * from './ssh-key.entity';
export * from './server.view';
export * from './server-action.view';
export * from './servers.module';
export { DeployService, HOSTNAME_PATTERN, IDEMPOTENCY_KEY_PATTERN } from './deploy.service';
export type { DeployInput, DeployResult } from './deploy.service';
export { SweepService } from './sweep.service';
export { ServerQueriesService } from './server-queries.service';
export type { ServerTopup } from './server-queries.service';
export { ServerAdminService } from './server-admin.service';
export { RenewalsService } from './renewals.service';
export type { RenewalReport } from './renewals.service';
export { FORECAST_MAX_DAYS, ForecastService } from './forecast.service';
export type {
  Forecast,
  ForecastRenewal,
  ForecastShortfall,
  ForecastStep,
  ForecastSubject,
  ForecastWaiting,
} from './forecast.service';
export { planRenewals } from './renewal-rules';
export type { PlannedRenewal, PlannedStep, RenewalPlan, RenewalRules } from './renewal-rules';
export { formatDay, RepriceService, scheduledPricesDifferNote } from './reprice.service';
export type { RepriceChange, RepriceResult, RepriceSkip, ScheduledPricesDiffer } from './reprice.service';
export { TemplatesService } from './templates.service';
export { ACTIONS_PER_WINDOW, RATE_WINDOW_MS, ServerActionsService } from './server-actions.service';
export type {
  ActionScope,
  OsTemplate,
  PowerState,
  ReinstallInput,
  ServerState,
} from './server-actions.service';
export { ServerCancellationService } from './server-cancellation.service';
export { CARE_REASONS, careOf, ServerDetailsService } from './server-details.service';
export type { AdminServerRow, CareReason, ServerDetails } from './server-details.service';
export type { HistoryLine } from './server-history';
export { historyInWords } from './server-history';
export { HOSTNAME_RULE, normalizeHostname } from './hostname';
export { parseSshPublicKey } from './ssh-key.parser';
export type { ParsedSshKey } from './ssh-key.parser';
export { SshKeysService } from './ssh-keys.service';

import { ServerAction } from './server-action.entity';
import { Server, ServerEvent, VirtFusionAccount } from './server.entity';
import { SshKey } from './ssh-key.entity';
export const SERVERS_ENTITIES = [VirtFusionAccount, Server, ServerEvent, ServerAction, SshKey];
export { walletCoverage, COVERAGE_HORIZON_MONTHS } from './wallet-coverage';
