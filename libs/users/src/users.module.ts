import { Module } from '@nestjs/common';
import { AuthService } from './auth.service';
import { CredentialsService } from './credentials.service';
import { SessionsRepository } from './sessions.repository';
import { TwoFactorRepository } from './two-factor.repository';
import { TwoFactorService } from './two-factor.service';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';
import { UserSessionsService } from './user-sessions.service';

@Module({
  providers: [
    UsersRepository,
    SessionsRepository,
    TwoFactorRepository,
    UsersService,
    AuthService,
    TwoFactorService,
    CredentialsService,
    UserSessionsService,
  ],
  exports: [UsersService, AuthService, TwoFactorService, CredentialsService, UserSessionsService],
})
export class UsersModule {}
