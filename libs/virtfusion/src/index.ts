export * from './errors';
export * from './virtfusion.module';
export { VirtFusionClient, isAmbiguous } from './virtfusion.client';
export {
  VIRTFUSION_CALL,
  VIRTFUSION_REACHABILITY,
  VirtFusionCallEvent,
  VirtFusionReachabilityEvent,
} from './virtfusion-reachability.event';
export type { VirtFusionCallOutcome } from './virtfusion-reachability.event';
export type {
  VirtFusionPackage,
  VirtFusionPowerAction,
  VirtFusionQueueItem,
  VirtFusionServer,
  VirtFusionTrafficPeriod,
  VirtFusionTemplate,
  VirtFusionUser,
} from './virtfusion.types';
