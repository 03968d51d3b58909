import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { Equals, IsIn, IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';
import { PasswordResetService } from '@ozvps/accounts';
import { AuthService, User, USER_ROLES, UserRole, toUserView, UsersService } from '@ozvps/users';
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

class SetRoleDto {
  @IsIn(USER_ROLES as unknown as string[], { message: 'role must be user or admin' })
  role!: UserRole;
}

@Admin()
@Controller('api/admin/users')
export class AdminUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly wallet: WalletService,
    private readonly auth: AuthService,
    private readonly passwordReset: PasswordResetService,
  ) {}

  @Get()
  async list(@Query('limit') limit?: string, @Query('after') after?: string, @Query('q') q?: string) {
    const n = queryInt(limit, 'limit', 1, 500, 100)!;
    const afterId = queryInt(after, 'after', 1, Number.MAX_SAFE_INTEGER);
    const users = await this.users.list(n, afterId, q?.slice(0, 200));
    const balances = await this.wallet.balancesOf(users.map((u) => u.id));
    return {
      users: users.map((u) => ({ ...toUserView(u), balanceCents: balances.get(u.id) ?? 0 })),
    };
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

  /** Makes a user an admin, or a user again. */
  @Post(':id/role')
  @HttpCode(200)
  async setRole(
    @CurrentUser() admin: User,
    @Param('id', new ParseIntPipe({ errorHttpStatusCode: 404 })) id: number,
    @Body() body: SetRoleDto,
  ) {
    if (id === admin.id && body.role !== 'admin')
      throw new ValidationError('Admins cannot take the admin role from themselves');
    const user = await this.users.setRole(await this.users.getById(id), body.role, `admin:${admin.id}`);
    return { user: toUserView(user) };
  }

  /** Ends every session of the user; they sign in again. */
  @Post(':id/sign-out-everywhere')
  @HttpCode(200)
  async signOutEverywhere(
    @CurrentUser() admin: User,
    @Param('id', new ParseIntPipe({ errorHttpStatusCode: 404 })) id: number,
  ) {
    const sessionsRevoked = await this.auth.signOutEverywhere(
      await this.users.getById(id),
      `admin:${admin.id}`,
    );
    return { sessionsRevoked };
  }

  /** Emails the user a password reset link (the admin never sees it). */
  @Post(':id/password-reset-link')
  @HttpCode(200)
  async passwordResetLink(
    @CurrentUser() admin: User,
    @Param('id', new ParseIntPipe({ errorHttpStatusCode: 404 })) id: number,
  ) {
    const { email, expiresAt } = await this.passwordReset.sendByAdmin(id, `admin:${admin.id}`);
    return { sentTo: email, expiresAt: expiresAt.toISOString() };
  }

  /** No sign-in and no live session until enabled again; their servers keep running. */
  @Post(':id/disable')
  @HttpCode(200)
  async disable(
    @CurrentUser() admin: User,
    @Param('id', new ParseIntPipe({ errorHttpStatusCode: 404 })) id: number,
  ) {
    const user = await this.users.getById(id);
    return { user: toUserView(await this.users.setDisabled(user, true, `admin:${admin.id}`, admin.id)) };
  }

  @Post(':id/enable')
  @HttpCode(200)
  async enable(
    @CurrentUser() admin: User,
    @Param('id', new ParseIntPipe({ errorHttpStatusCode: 404 })) id: number,
  ) {
    const user = await this.users.getById(id);
    return { user: toUserView(await this.users.setDisabled(user, false, `admin:${admin.id}`)) };
  }
}
