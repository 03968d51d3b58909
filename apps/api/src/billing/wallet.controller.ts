import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import type { TopupStatus, TransactionPage, WalletView } from '@ozvps/contracts';
import { IsInt } from 'class-validator';
import { StartedTopup, TopupsService } from '@ozvps/billing';
import { APP_CONFIG, AppConfig, Clock, CLOCK } from '@ozvps/core';
import { ServerQueriesService } from '@ozvps/servers';
import { User } from '@ozvps/users';
import { RequiresVerifiedEmail } from '../account/account.decorators';
import { toTransactionPage, WalletService } from '@ozvps/wallet';
import { CurrentUser } from '../auth/auth.decorators';
import { historyPageQuery } from '../query-params';

class StartTopupDto {
  @IsInt({ message: 'amountCents must be a whole number of cents' })
  amountCents!: number;
}

/** The signed-in user's own wallet: every lookup goes through the session's user. */
@Controller('api')
export class WalletController {
  constructor(
    private readonly wallet: WalletService,
    private readonly topups: TopupsService,
    private readonly servers: ServerQueriesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('wallet')
  async show(@CurrentUser() user: User): Promise<WalletView> {
    const [{ balanceCents, currency }, totals] = await Promise.all([
      this.wallet.balance(user.id),
      this.wallet.totals(user.id),
    ]);
    const coverage = await this.servers.coverage(user.id, balanceCents, this.clock.now());
    const { minCents, maxCents, presetsCents } = this.config.topups;
    return {
      balanceCents,
      currency,
      summary: { ...totals, activeServers: await this.servers.countActive(user.id) },
      topup: { minCents, maxCents, presetsCents, enabled: this.config.stripe !== undefined },
      coverage,
    };
  }

  @Get('wallet/transactions')
  async transactions(
    @CurrentUser() user: User,
    @Query('limit') limit?: string,
    @Query('before') before?: string,
  ): Promise<TransactionPage> {
    return toTransactionPage(await this.wallet.history(user.id, historyPageQuery(limit, before)));
  }

  @RequiresVerifiedEmail()
  @Post('wallet/topups')
  start(@CurrentUser() user: User, @Body() body: StartTopupDto): Promise<StartedTopup> {
    return this.topups.start(user, body.amountCents);
  }

  /**
   * For the return page: it polls this and says only what the server knows, including the deploy
   * this top-up pays for ("Top up & deploy"; null for a plain top-up).
   */
  @Get('wallet/topups/:sessionId')
  async topupStatus(@CurrentUser() user: User, @Param('sessionId') sessionId: string): Promise<TopupStatus> {
    const status = await this.topups.status(user, sessionId);
    const server = await this.servers.findByTopupSession(user.id, sessionId);
    return {
      ...status,
      serverId: server?.id ?? null,
      serverStatus: server?.status ?? null,
      serverCancelReason: server?.cancelReason ?? null,
    };
  }

  @Post('billing/portal')
  async portal(@CurrentUser() user: User): Promise<{ url: string }> {
    return { url: await this.topups.portalUrl(user) };
  }
}
