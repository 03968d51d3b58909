import { ConflictError, DomainError, NotFoundError, ValidationError } from '@ozvps/core';

export class ServerNotFoundError extends NotFoundError {
  override readonly code = 'server_not_found';

  constructor(id: number | string) {
    super(`No server ${id}`);
  }
}

/** The same idempotency key was used for a different deploy (another plan, template or hostname). */
export class DeployKeyReusedError extends ConflictError {
  override readonly code = 'idempotency_key_reused';

  constructor() {
    super('This idempotencyKey was already used for a different deploy; send a new key for a new server');
  }
}

export class TemplateNotOfferedError extends ValidationError {
  override readonly code = 'template_not_offered';
}

/** Deploys need VIRTFUSION_HYPERVISOR_GROUP_ID; the panel says so instead of guessing a group. */
export class DeploysNotConfiguredError extends DomainError {
  readonly code = 'deploys_not_configured';

  constructor() {
    super(
      'Deploys are not configured: set VIRTFUSION_HYPERVISOR_GROUP_ID (and VIRTFUSION_URL, VIRTFUSION_API_TOKEN)',
    );
  }
}

/** VirtFusion has a user with this email that is not linked to the panel account. */
export class VirtFusionEmailTakenError extends ConflictError {
  override readonly code = 'virtfusion_email_taken';

  constructor(email: string, userId: number) {
    super(
      `VirtFusion already has a user with the email ${email} that is not linked to this panel account. ` +
        `An admin can link it by setting that VirtFusion user's extRelationId to ${userId}, or change one of the two emails; nothing was charged.`,
    );
  }
}

/** A server is not in a state that allows what was asked (e.g. suspending a failed one). */
export class ServerStateError extends ConflictError {
  override readonly code = 'server_state';
}

/** Another deploy of the same customer is talking to VirtFusion; one at a time, nothing was charged. */
export class DeployInProgressError extends ConflictError {
  override readonly code = 'deploy_in_progress';

  constructor() {
    super('Another deploy of yours is in progress; try again in a moment. Nothing was charged.');
  }
}

/** Every connection kept for deploys is taken (many customers deploying at once); nothing was charged. */
export class DeploysBusyError extends DomainError {
  readonly code = 'deploys_busy';

  constructor() {
    super('The panel is busy with other deploys; try again in a moment. Nothing was charged.');
  }
}

/** A customer may have only a few deploys waiting for payment; nothing was written, no checkout opened. */
export class TooManyWaitingDeploysError extends ConflictError {
  override readonly code = 'too_many_waiting_deploys';

  constructor(max: number) {
    super(
      `You already have ${max} deploys waiting for payment: pay or cancel one of them first. Nothing was charged.`,
    );
  }
}

/**
 * A cancel sent with a checkout cancel link's token that is not this deploy's (a forged or mistyped
 * link): nothing is cancelled. The owner can still cancel with the Cancel button.
 */
export class CancelLinkInvalidError extends ConflictError {
  override readonly code = 'cancel_link_invalid';

  constructor() {
    super(
      'This cancel link is not valid for this deploy; nothing was cancelled. Use Cancel on the page to cancel it.',
    );
  }
}
