import { Module } from '@nestjs/common';
import { NotificationsModule } from '@ozvps/notifications';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';
import { AccountsService } from './accounts.service';
import { OidcService } from './oidc.service';

@Module({
  imports: [UsersModule, WalletModule, NotificationsModule],
  providers: [AccountsService, OidcService],
  exports: [AccountsService, OidcService],
})
export class AccountsModule {}
