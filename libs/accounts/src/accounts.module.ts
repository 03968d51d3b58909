import { Module } from '@nestjs/common';
import { CLOCK, systemClock } from '@ozvps/core';
import { NotificationsModule } from '@ozvps/notifications';
import { UsersModule } from '@ozvps/users';
import { WalletModule } from '@ozvps/wallet';
import { AccountsService } from './accounts.service';
import { AccountSecurityService } from './account-security.service';
import { AccountTokensRepository } from './account-tokens.repository';
import { EmailVerificationService } from './email-verification.service';
import { OidcService } from './oidc.service';
import { PasswordResetService } from './password-reset.service';

@Module({
  imports: [UsersModule, WalletModule, NotificationsModule],
  providers: [
    // Tests that need another time override this, as for the servers and notifications modules.
    { provide: CLOCK, useValue: systemClock },
    AccountsService,
    OidcService,
    AccountTokensRepository,
    EmailVerificationService,
    PasswordResetService,
    AccountSecurityService,
  ],
  exports: [
    AccountsService,
    OidcService,
    EmailVerificationService,
    PasswordResetService,
    AccountSecurityService,
  ],
})
export class AccountsModule {}
