export * from './errors';
export * from './server.entity';
export * from './server-action.entity';
export * from './ssh-key.entity';
export * from './server.view';
export * from './servers.module';
export { ServersService } from './servers.service';
export type { DeployInput, DeployResult, ServerTopup } from './servers.service';
export { RenewalsService } from './renewals.service';
export type { RenewalReport } from './renewals.service';
export { formatDay, RepriceService, scheduledPricesDifferNote } from './reprice.service';
export type { RepriceChange, RepriceResult, RepriceSkip, ScheduledPricesDiffer } from './reprice.service';
export { TemplatesService } from './templates.service';

import { ServerAction } from './server-action.entity';
import { Server, ServerEvent, VirtFusionAccount } from './server.entity';
import { SshKey } from './ssh-key.entity';
export const SERVERS_ENTITIES = [VirtFusionAccount, Server, ServerEvent, ServerAction, SshKey];
