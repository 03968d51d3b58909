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
  description?: string | null;
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
  /** Every enabled IPv4 address. */
  ipv4Addresses: string[];
  /** Assigned IPv6 addresses, or the subnets (`2001:db8::/64`) when none is assigned singly. */
  ipv6: string[];
  /** Asked with remoteState: whether the hypervisor runs it; null when not asked or not known. */
  power: 'running' | 'stopped' | null;
  /** A job (build, power, …) is queued or running for it. */
  tasksActive: boolean;
  /** A rebuild is in progress. */
  rebuilding: boolean;
}

export type VirtFusionPowerAction = 'boot' | 'shutdown' | 'restart' | 'poweroff';

/** A queued job as GET /queue/{id} reports it. */
export interface VirtFusionQueueItem {
  id: number;
  finished: boolean;
  failed: boolean;
  /** VirtFusion's reason when it failed. */
  message: string | null;
}

/** One billing month of traffic (GET /servers/{id}/traffic). */
export interface VirtFusionTrafficPeriod {
  start: string;
  end: string;
  rxBytes: number;
  txBytes: number;
  /** The allowance in GB; 0: unlimited. */
  limitGb: number;
}
