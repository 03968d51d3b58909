import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { Equals, IsIn, IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';
import { User, toUserView, UsersService } from '@ozvps/users';
import { ValidationError } from '@ozvps/core';
import { toTransactionPage, toTransactionView, WalletService } from '@ozvps/wallet';
import { Admin, CurrentUser } from '../auth/auth.decorators';
import { historyPageQuery, queryInt } from '../query-params';

class AdjustWalletDto {
  @IsIn(['credit', 'debit'], { message: 'direction must be credit or debit' })
  direction!: 'credit' | 'debit';

  @IsInt({ message: 'amountCents must be a whole number of cents' })
  @Min(1, { message: 'amountCents must be at least 1' })
  amountCents!: number;

  @IsString()
  @Matches(/\S{3,}/, { message: 'reason is required (what the change is for)' })
  reason!: string;

  /** A debit takes money from a customer: the admin confirms it, as `ozvpsctl wallet deduct --yes`. */
  @IsOptional()
  @Equals(true, { message: 'confirm must be true' })
  confirm?: true;

  /** One key per intended change: the same request again (double click, retry) changes nothing. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{8,100}$/, { message: 'requestKey must be 8 to 100 letters, digits, - or _' })
  requestKey?: string;
}

@Admin()
@Controller('api/admin/users')
export class AdminUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly wallet: WalletService,
  ) {}

  @Get()
  async list(@Query('limit') limit?: string, @Query('after') after?: string, @Query('q') q?: string) {
    const n = queryInt(limit, 'limit', 1, 500, 100)!;
    const afterId = queryInt(after, 'after', 1, Number.MAX_SAFE_INTEGER);
    return { users: (await this.users.list(n, afterId, q?.slice(0, 200))).map(toUserView) };
  }

  @Get(':id')
  async show(@Param('id', new ParseIntPipe({ errorHttpStatusCode: 404 })) id: number) {
    const user = await this.users.getById(id);
    const { balanceCents, currency } = await this.wallet.balance(user.id);
    return { user: toUserView(user), wallet: { balanceCents, currency } };
  }

  @Get(':id/transactions')
  async transactions(
    @Param('id', new ParseIntPipe({ errorHttpStatusCode: 404 })) id: number,
    @Query('limit') limit?: string,
    @Query('before') before?: string,
  ) {
    return toTransactionPage(await this.wallet.history(id, historyPageQuery(limit, before)));
  }

  /** An admin credit or debit: one ledger row with the reason and the admin who made it. */
  @Post(':id/wallet/adjustments')
  @HttpCode(201)
  async adjust(
    @CurrentUser() admin: User,
    @Param('id', new ParseIntPipe({ errorHttpStatusCode: 404 })) id: number,
    @Body() body: AdjustWalletDto,
  ) {
    if (body.direction === 'debit' && body.confirm !== true) {
      throw new ValidationError('a debit takes money from the customer: confirm it with "confirm": true');
    }
    const { transaction, duplicate } = await this.wallet.adjustByAdmin({
      userId: id,
      direction: body.direction,
      amountCents: body.amountCents,
      reason: body.reason,
      actor: `admin:${admin.id}`,
      requestKey: body.requestKey,
    });
    return { transaction: toTransactionView(transaction), duplicate };
  }
}
