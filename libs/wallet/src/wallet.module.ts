import { Module } from '@nestjs/common';
import { InvoicesModule } from '@ozvps/invoices';
import { UsersModule } from '@ozvps/users';
import { LedgerEvents } from './ledger-events';
import { WalletRepository } from './wallet.repository';
import { WalletService } from './wallet.service';

@Module({
  imports: [UsersModule, InvoicesModule],
  providers: [WalletRepository, WalletService, LedgerEvents],
  exports: [WalletService],
})
export class WalletModule {}
