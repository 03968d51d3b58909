import { Module } from '@nestjs/common';
import { NotificationsModule } from '@ozvps/notifications';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';
import { AccountsService } from './accounts.service';
import { OidcService } from './oidc.service';
import { TwoFactorResetService } from './two-factor-reset.service';

@Module({
  imports: [UsersModule, WalletModule, NotificationsModule],
  providers: [AccountsService, OidcService, TwoFactorResetService],
  exports: [AccountsService, OidcService, TwoFactorResetService],
})
export class AccountsModule {}
