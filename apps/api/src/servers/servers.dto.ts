import { Transform } from 'class-transformer';
import { Allow, IsBoolean, Matches, ValidateBy, ValidateIf } from 'class-validator';
import { HOSTNAME_PATTERN, IDEMPOTENCY_KEY_PATTERN } from '@ozvps/servers';

/** One rule, one message (IsInt + Min + Max would repeat it for a string). */
function IsPositiveId(): PropertyDecorator {
  return ValidateBy({
    name: 'isPositiveId',
    validator: {
      validate: (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1,
      defaultMessage: (args) => `${args?.property} must be a positive whole number`,
    },
  });
}

export class DeployDto {
  @IsPositiveId()
  planId!: number;

  @IsPositiveId()
  osTemplateId!: number;

  /** Checked as it is stored: trimmed and lower-cased. */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @Matches(HOSTNAME_PATTERN, {
    message:
      'hostname must be a valid host name (letters, digits and hyphens, dot-separated, up to 253 characters)',
  })
  hostname!: string;

  @Matches(IDEMPOTENCY_KEY_PATTERN, {
    message: 'idempotencyKey must be 8 to 100 characters of letters, digits, _ . : -',
  })
  idempotencyKey!: string;

  /** "Top up & deploy": when the wallet is short, wait for a top-up of the shortfall instead of 402. */
  @ValidateIf((_, value) => value !== undefined)
  @IsBoolean({ message: 'topUpIfShort must be true or false' })
  topUpIfShort?: boolean;

  /** The customer's SSH keys (ids from GET /api/ssh-keys) the build installs. */
  @ValidateIf((_, value) => value !== undefined)
  @ValidateBy({
    name: 'isSshKeyIds',
    validator: {
      validate: (v: unknown) =>
        Array.isArray(v) &&
        v.length <= 20 &&
        v.every((k) => typeof k === 'number' && Number.isSafeInteger(k) && k >= 1),
      defaultMessage: () => 'sshKeyIds must be a list of at most 20 SSH key ids',
    },
  })
  sshKeyIds?: number[];
}

export class CancelDto {
  /**
   * The token in Stripe's cancel_url: only with it does the page cancel without a click. Any
   * value is accepted here: one that is not this deploy's token, of whatever type, is answered
   * 409 cancel_link_invalid by DeployService, which a wrong link must get.
   */
  @Allow()
  token?: unknown;
}
