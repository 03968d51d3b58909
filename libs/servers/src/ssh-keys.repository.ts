import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { SshKey } from './ssh-key.entity';

/** The only code that speaks SQL for `ssh_keys`. */
@Injectable()
export class SshKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  insert(
    row: Pick<SshKey, 'userId' | 'name' | 'publicKey' | 'type' | 'bits' | 'fingerprint'>,
  ): Promise<SshKey> {
    const repo = this.dataSource.getRepository(SshKey);
    return repo.save(repo.create({ ...row, virtfusionKeyId: null }));
  }

  listForUser(userId: number): Promise<SshKey[]> {
    return this.dataSource.getRepository(SshKey).find({ where: { userId }, order: { id: 'ASC' } });
  }

  findByFingerprint(userId: number, fingerprint: string): Promise<SshKey | null> {
    return this.dataSource.getRepository(SshKey).findOneBy({ userId, fingerprint });
  }

  /** These ids, only those that belong to the user. */
  findOwned(userId: number, ids: number[]): Promise<SshKey[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(SshKey)
      .find({ where: { userId, id: In(ids) }, order: { id: 'ASC' } });
  }

  async setVirtFusionId(id: number, virtfusionKeyId: number | null): Promise<void> {
    await this.dataSource.getRepository(SshKey).update({ id }, { virtfusionKeyId });
  }

  /** Deletes the user's key and returns it; null when they have no such key. */
  async delete(userId: number, id: number): Promise<SshKey | null> {
    const repo = this.dataSource.getRepository(SshKey);
    const key = await repo.findOneBy({ id, userId });
    if (!key) return null;
    const result = await repo.delete({ id, userId });
    return result.affected ? key : null;
  }
}
