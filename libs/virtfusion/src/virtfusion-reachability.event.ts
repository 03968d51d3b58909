/** The event name of a change in whether VirtFusion answers (see VirtFusionReachabilityEvent). */
export const VIRTFUSION_REACHABILITY = 'virtfusion.reachability';

/**
 * VirtFusion answered a call again (`reachable`), or a call found it unreachable (no connection,
 * timeout, 5xx). Emitted by VirtFusionClient on every change and, while it stays unreachable, at
 * most once a minute, so a listener can judge how long an outage has lasted. Only the API listens.
 */
export class VirtFusionReachabilityEvent {
  constructor(
    readonly reachable: boolean,
    /** What the failed call said (never the token); null when reachable. */
    readonly detail: string | null,
  ) {}
}
