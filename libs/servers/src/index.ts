export * from './errors';
export * from './server.entity';
export * from './server.view';
export * from './servers.module';
export { DeployService, HOSTNAME_PATTERN, IDEMPOTENCY_KEY_PATTERN } from './deploy.service';
export type { DeployInput, DeployResult } from './deploy.service';
export { SweepService } from './sweep.service';
export { ServerQueriesService } from './server-queries.service';
export type { ServerTopup } from './server-queries.service';
export { ServerAdminService } from './server-admin.service';
export { RenewalsService } from './renewals.service';
export type { RenewalReport } from './renewals.service';
export { formatDay, RepriceService, scheduledPricesDifferNote } from './reprice.service';
export type { RepriceChange, RepriceResult, RepriceSkip, ScheduledPricesDiffer } from './reprice.service';
export { TemplatesService } from './templates.service';

import { Server, ServerEvent, VirtFusionAccount } from './server.entity';
export const SERVERS_ENTITIES = [VirtFusionAccount, Server, ServerEvent];
