export * from './errors';
export * from './virtfusion.module';
export { VirtFusionClient, isAmbiguous } from './virtfusion.client';
export type {
  VirtFusionPackage,
  VirtFusionServer,
  VirtFusionTemplate,
  VirtFusionUser,
} from './virtfusion.types';
