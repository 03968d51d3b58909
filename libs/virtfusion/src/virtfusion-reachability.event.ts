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

/** The event name of one HTTP call to VirtFusion (see VirtFusionCallEvent). */
export const VIRTFUSION_CALL = 'virtfusion.call';

export type VirtFusionCallOutcome =
  'ok' | 'unavailable' | 'rate_limited' | 'auth' | 'not_found' | 'rejected' | 'bad_response';

/**
 * One HTTP exchange with VirtFusion (each retry is its own), as the API's metrics count it.
 * `path` is the template (`/servers/:id/build`): ids never become labels.
 */
export class VirtFusionCallEvent {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly outcome: VirtFusionCallOutcome,
    readonly seconds: number,
  ) {}
}
