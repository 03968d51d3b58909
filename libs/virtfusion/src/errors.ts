import { DomainError } from '@ozvps/core';

/** VirtFusion could not be used; `message` says what an operator should check. */
export abstract class VirtFusionError extends DomainError {}

export class VirtFusionNotConfiguredError extends VirtFusionError {
  readonly code = 'virtfusion_not_configured';

  constructor() {
    super('VirtFusion is not configured: set VIRTFUSION_URL and VIRTFUSION_API_TOKEN');
  }
}

export class VirtFusionAuthError extends VirtFusionError {
  readonly code = 'virtfusion_unauthorized';
}

export class VirtFusionNotFoundError extends VirtFusionError {
  readonly code = 'virtfusion_not_found';
}

export class VirtFusionRejectedError extends VirtFusionError {
  readonly code = 'virtfusion_rejected';

  /** VirtFusion's own reason, when it gave one. */
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(detail ? `${message} (${detail})` : message);
  }
}

export class VirtFusionRateLimitedError extends VirtFusionError {
  readonly code = 'virtfusion_rate_limited';
}

export class VirtFusionUnavailableError extends VirtFusionError {
  readonly code = 'virtfusion_unavailable';
}

/** VirtFusion answered, but not in the shape its API documents; nothing was trusted. */
export class VirtFusionBadResponseError extends VirtFusionError {
  readonly code = 'virtfusion_bad_response';
}
