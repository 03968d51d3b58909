export * from './errors';
export * from './virtfusion.module';
export { VirtFusionClient, isAmbiguous } from './virtfusion.client';
export type {
  VirtFusionPackage,
  VirtFusionPowerAction,
  VirtFusionQueueItem,
  VirtFusionServer,
  VirtFusionTrafficPeriod,
  VirtFusionTemplate,
  VirtFusionUser,
} from './virtfusion.types';
