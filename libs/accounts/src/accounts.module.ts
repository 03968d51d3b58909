import { Module } from '@nestjs/common';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';
import { AccountsService } from './accounts.service';

@Module({
  imports: [UsersModule, WalletModule],
  providers: [AccountsService],
  exports: [AccountsService],
})
export class AccountsModule {}
