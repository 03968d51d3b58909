import { ConflictError, DomainError, NotFoundError, UnprocessableError, ValidationError } from '@ozvps/core';

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

/** Not an OpenSSH public key the panel accepts (ed25519, ecdsa, rsa ≥ 2048); `message` says why. */
export class InvalidSshKeyError extends UnprocessableError {
  override readonly code = 'invalid_ssh_key';
}

/** The customer already keeps this key (same fingerprint). */
export class SshKeyExistsError extends ConflictError {
  override readonly code = 'ssh_key_exists';

  constructor(name: string) {
    super(`You already added this key (as "${name}")`);
  }
}

export class SshKeyNotFoundError extends NotFoundError {
  override readonly code = 'ssh_key_not_found';

  constructor(id: number | string) {
    super(`No SSH key ${id}`);
  }
}

/** SSH key ids in a deploy or reinstall that are not the customer's own: nothing is done. */
export class SshKeysNotYoursError extends UnprocessableError {
  override readonly code = 'ssh_key_not_found';

  constructor(ids: number[]) {
    super(`No SSH key ${ids.join(', ')} in your account; add it under SSH keys first`);
  }
}

export class ServerSuspendedError extends ConflictError {
  override readonly code = 'server_suspended';

  constructor(reason: string | null) {
    super(
      reason === 'overdue'
        ? 'This server is suspended because its renewal is unpaid: top up your wallet and it is unsuspended automatically'
        : 'This server is suspended by an admin: contact support to have it unsuspended',
    );
  }
}

/** Waiting, provisioning, failed, terminated or cancelled: nothing to act on yet (or any more). */
export class ServerNotReadyError extends ConflictError {
  override readonly code = 'server_not_ready';

  constructor(status: string) {
    const why: Record<string, string> = {
      awaiting_funds: 'it is waiting for its payment',
      provisioning: 'it is still being set up',
      failed: 'its deploy failed',
      terminated: 'it has been terminated',
      cancelled: 'it was cancelled',
    };
    super(`This server cannot do that now: ${why[status] ?? `it is ${status}`}`);
  }
}

export class ActionInProgressError extends ConflictError {
  override readonly code = 'action_in_progress';

  constructor(kind: string) {
    super(
      `Another action (${kind.replace('_', ' ')}) is still running on this server; wait for it to finish`,
    );
  }
}

/** The per-server rate limit (HTTP 429). */
export class TooManyActionsError extends DomainError {
  readonly code = 'too_many_actions';

  constructor(max: number, minutes: number) {
    super(`At most ${max} actions per server every ${minutes} minutes; try again in a few minutes`);
  }
}

/** A typed confirmation (the hostname) that does not match: nothing was done. */
export class ConfirmationMismatchError extends UnprocessableError {
  override readonly code = 'confirmation_mismatch';

  constructor(hostname: string) {
    super(`Type the server's hostname (${hostname}) exactly to confirm; nothing was done`);
  }
}

/** VirtFusion refused the action (HTTP 422 there); `message` is VirtFusion's reason. */
export class VirtFusionRefusedError extends UnprocessableError {
  override readonly code = 'virtfusion_refused';
}

/** VirtFusion failed (5xx) or did not answer in time; the action was not recorded as done. */
export class VirtFusionDidNotAnswerError extends DomainError {
  readonly code = 'virtfusion_unavailable';

  constructor(message = 'VirtFusion did not answer, nothing was changed — try again') {
    super(message);
  }
}

/** VirtFusion answered 404 for the server: retrying cannot help, support must look. */
export class VirtFusionServerMissingError extends ConflictError {
  override readonly code = 'virtfusion_server_missing';

  constructor() {
    super('This server no longer exists in VirtFusion: nothing was changed. Please contact support.');
  }
}

/** The customer has no VirtFusion account yet (no server was ever set up for them). */
export class NoVirtFusionAccountError extends ConflictError {
  override readonly code = 'virtfusion_account_missing';

  constructor() {
    super('You have no account in VirtFusion yet: it is created with your first server');
  }
}
