import { Injectable, Logger } from '@nestjs/common';
import { isUniqueViolation, ValidationError } from '@ozvps/core';
import { User } from '@ozvps/users';
import { VirtFusionClient } from '@ozvps/virtfusion';
import { SshKeyExistsError, SshKeyNotFoundError, SshKeysNotYoursError } from './errors';
import { SshKey } from './ssh-key.entity';
import { parseSshPublicKey } from './ssh-key.parser';
import { SshKeysRepository } from './ssh-keys.repository';
import { VirtFusionAccountsService } from './virtfusion-accounts.service';

const MAX_KEYS_PER_USER = 50;
const MAX_KEYS_PER_SERVER = 20;

/** `sshKeyIds` of a deploy or reinstall: absent, or a short list of positive whole numbers. */
export function parseSshKeyIds(value: unknown): number[] {
  if (value === undefined || value === null) return [];
  if (
    !Array.isArray(value) ||
    value.length > MAX_KEYS_PER_SERVER ||
    value.some((k) => typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1)
  )
    throw new ValidationError(`sshKeyIds must be a list of at most ${MAX_KEYS_PER_SERVER} SSH key ids`);
  return value as number[];
}

/** The whitespace-free key text, for comparing a key with VirtFusion's copy. */
const keyText = (publicKey: string) => publicKey.trim().split(/\s+/).slice(0, 2).join(' ');

/** A customer's SSH public keys: kept in the panel, copied to VirtFusion when first used. */
@Injectable()
export class SshKeysService {
  private readonly logger = new Logger('SshKeys');

  constructor(
    private readonly repo: SshKeysRepository,
    private readonly virtfusion: VirtFusionClient,
    private readonly accounts: VirtFusionAccountsService,
  ) {}

  list(userId: number): Promise<SshKey[]> {
    return this.repo.listForUser(userId);
  }

  /** Adds a public key after checking it really is one (see parseSshPublicKey). */
  async add(userId: number, input: { name: unknown; publicKey: unknown }): Promise<SshKey> {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name || name.length > 100 || [...name].some((c) => c < ' ' || c === '\u007f'))
      throw new ValidationError('name must be 1 to 100 characters, on one line');
    const parsed = parseSshPublicKey(input.publicKey);
    const existing = await this.repo.findByFingerprint(userId, parsed.fingerprint);
    if (existing) throw new SshKeyExistsError(existing.name);
    if ((await this.repo.listForUser(userId)).length >= MAX_KEYS_PER_USER)
      throw new ValidationError(`At most ${MAX_KEYS_PER_USER} SSH keys per account; delete one first`);
    try {
      return await this.repo.insert({ userId, name, ...parsed });
    } catch (err) {
      if (isUniqueViolation(err, 'ssh_keys_user_id_fingerprint_key')) throw new SshKeyExistsError(name);
      throw err;
    }
  }

  /** Removes the key from the panel (and, when it was copied there, from VirtFusion, best effort). */
  async remove(userId: number, id: number): Promise<void> {
    const key = Number.isSafeInteger(id) && id > 0 ? await this.repo.delete(userId, id) : null;
    if (!key) throw new SshKeyNotFoundError(id);
    if (key.virtfusionKeyId !== null) {
      await this.virtfusion.deleteSshKey(key.virtfusionKeyId).catch((err: Error) => {
        // Servers already built keep the key anyway; the copy in VirtFusion is harmless.
        this.logger.warn(`VirtFusion SSH key ${key.virtfusionKeyId} not removed: ${err.message}`);
      });
    }
  }

  /** The user's own keys among `ids`; any id that is not theirs refuses the whole request. */
  async owned(userId: number, ids: number[]): Promise<SshKey[]> {
    const unique = [...new Set(ids)];
    const keys = await this.repo.findOwned(userId, unique);
    const missing = unique.filter((id) => !keys.some((k) => k.id === id));
    if (missing.length) throw new SshKeysNotYoursError(missing);
    return keys;
  }

  /** The names of those of `ids` the user still has (the keys a build installed). */
  async namesOf(userId: number, ids: readonly number[]): Promise<string[]> {
    return (await this.repo.findOwned(userId, [...ids])).map((k) => k.name);
  }

  /**
   * For a build: VirtFusion's ids for those of `ids` the user still has (a key deleted since the
   * deploy is simply not installed).
   */
  async virtFusionIdsFor(user: Pick<User, 'id' | 'email' | 'name'>, ids: number[]): Promise<number[]> {
    return this.virtFusionIds(user, await this.repo.findOwned(user.id, ids));
  }

  /**
   * VirtFusion's ids for these keys, copying each to the user's VirtFusion account the first time
   * (a key VirtFusion already holds for the user is reused, so a lost answer adds no duplicate).
   * Network calls: never inside a transaction.
   */
  async virtFusionIds(user: Pick<User, 'id' | 'email' | 'name'>, keys: SshKey[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const vfUserId = await this.accounts.ensure(user);
    const out: number[] = [];
    let theirs: { id: number; publicKey: string }[] | null = null;
    for (const key of keys) {
      if (key.virtfusionKeyId !== null) {
        out.push(key.virtfusionKeyId);
        continue;
      }
      theirs ??= await this.virtfusion.listSshKeys(vfUserId);
      const found = theirs.find((k) => keyText(k.publicKey) === keyText(key.publicKey));
      const id =
        found?.id ??
        (await this.virtfusion.createSshKey({ userId: vfUserId, name: key.name, publicKey: key.publicKey }));
      await this.repo.setVirtFusionId(key.id, id);
      out.push(id);
    }
    return out;
  }
}
