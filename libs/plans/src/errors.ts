import { ConflictError, DomainError, NotFoundError, ValidationError } from '@ozvps/core';

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

export class PlanNotFoundError extends NotFoundError {
  override readonly code = 'plan_not_found';

  constructor(reference: string) {
    super(`No plan ${reference}`);
  }
}

export class PlanNotDeployableError extends ConflictError {
  override readonly code = 'plan_not_deployable';
}

export class PlanSyncInProgressError extends ConflictError {
  override readonly code = 'plan_sync_running';

  constructor() {
    super('A plan sync is already running (in this or another panel process); try again in a moment');
  }
}

/** The sync would take every offered plan off sale: refused unless forced. */
export class PlanSyncRefusedError extends ValidationError {
  override readonly code = 'plan_sync_refused';
}
