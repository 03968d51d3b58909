import { Injectable, Logger } from '@nestjs/common';
import { isAmbiguous, VirtFusionClient, VirtFusionRejectedError } from '@ozvps/virtfusion';
import { User } from '@ozvps/users';
import { VirtFusionEmailTakenError } from './errors';
import { ServersRepository } from './servers.repository';

/** Links panel users to VirtFusion users: VirtFusion's extRelationId is the panel's user id. */
@Injectable()
export class VirtFusionAccountsService {
  private readonly logger = new Logger('VirtFusionUsers');

  constructor(
    private readonly virtfusion: VirtFusionClient,
    private readonly repo: ServersRepository,
  ) {}

  /** The user's VirtFusion user id: stored, else looked up by extRelationId, else created. */
  async ensure(user: Pick<User, 'id' | 'email' | 'name'>): Promise<number> {
    const stored = await this.repo.virtFusionUserId(user.id);
    if (stored !== null) return stored;
    let found = await this.virtfusion.findUserByExtRelation(user.id);
    if (!found) {
      try {
        found = await this.virtfusion.createUser({
          name: user.name.trim() || user.email,
          email: user.email,
          extRelationId: user.id,
        });
        this.logger.log(`created VirtFusion user ${found.id} for panel user ${user.id}`);
      } catch (err) {
        const emailTaken = err instanceof VirtFusionRejectedError && /e-?mail/i.test(err.detail ?? '');
        // The answer was lost, or a concurrent first deploy created the user a moment ago: ask.
        if (!emailTaken && !isAmbiguous(err)) throw err;
        found = await this.virtfusion.findUserByExtRelation(user.id);
        if (!found && emailTaken) throw new VirtFusionEmailTakenError(user.email, user.id);
        if (!found) throw err;
      }
    }
    await this.repo.linkVirtFusionUser(user.id, found.id);
    return (await this.repo.virtFusionUserId(user.id))!;
  }
}
