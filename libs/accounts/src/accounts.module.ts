import { Module } from '@nestjs/common';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';
import { AccountsService } from './accounts.service';
import { OidcService } from './oidc.service';

@Module({
  imports: [UsersModule, WalletModule],
  providers: [AccountsService, OidcService],
  exports: [AccountsService, OidcService],
})
export class AccountsModule {}
