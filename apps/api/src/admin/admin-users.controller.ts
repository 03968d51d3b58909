import { Controller, Get, Param, ParseIntPipe, Query } from '@nestjs/common';
import { toUserView, UsersService } from '@ozvps/users';
import { queryInt } from '../query-params';
import { WalletService } from '@ozvps/wallet';

/** Admin-only by the path alone (see SessionGuard). */
@Controller('api/admin/users')
export class AdminUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly wallet: WalletService,
  ) {}

  @Get()
  async list(@Query('limit') limit?: string, @Query('after') after?: string) {
    const n = queryInt(limit, 'limit', 1, 500, 100)!;
    const afterId = queryInt(after, 'after', 1, Number.MAX_SAFE_INTEGER);
    return { users: (await this.users.list(n, afterId)).map(toUserView) };
  }

  @Get(':id')
  async show(@Param('id', new ParseIntPipe({ errorHttpStatusCode: 404 })) id: number) {
    const user = await this.users.getById(id);
    const { balanceCents, currency } = await this.wallet.balance(user.id);
    return { user: toUserView(user), wallet: { balanceCents, currency } };
  }
}
