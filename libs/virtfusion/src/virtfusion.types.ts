// The VirtFusion API's objects as the panel uses them, after the client has validated them.

/** A VirtFusion package as the panel uses it, validated. */
export interface VirtFusionPackage {
  id: number;
  name: string;
  description: string | null;
  enabled: boolean;
  memoryMb: number;
  storageGb: number;
  trafficGb: number;
  cpuCores: number;
  networkSpeedInMbps: number;
  networkSpeedOutMbps: number;
}

/** A VirtFusion user (the panel links its users by `extRelationId` = the panel's user id). */
export interface VirtFusionUser {
  id: number;
  email: string;
  extRelationId: number | null;
}

/** An OS template a package can be built with. */
export interface VirtFusionTemplate {
  id: number;
  name: string;
  version: string | null;
  variant: string | null;
  /** The family VirtFusion lists it under (Debian, Ubuntu, …). */
  group: string;
  eol: boolean;
}

/** A VirtFusion server as the panel uses it. */
export interface VirtFusionServer {
  id: number;
  ownerId: number;
  /** VirtFusion's own word (allocated, queued, complete, failed, …); null when not given. */
  state: string | null;
  commissionStatus: number | null;
  suspended: boolean;
  buildFailed: boolean;
  built: string | null;
  /** The first enabled IPv4 address, once VirtFusion has assigned one. */
  ipv4: string | null;
}
