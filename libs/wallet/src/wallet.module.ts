import { Module } from '@nestjs/common';
import { UsersModule } from '@ozvps/users';
import { WalletRepository } from './wallet.repository';
import { WalletService } from './wallet.service';

@Module({
  imports: [UsersModule],
  providers: [WalletRepository, WalletService],
  exports: [WalletService],
})
export class WalletModule {}
