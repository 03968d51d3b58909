import { ConflictError, NotFoundError, ValidationError } from '@ozvps/core';

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
