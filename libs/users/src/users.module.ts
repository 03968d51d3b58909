import { Module } from '@nestjs/common';
import { AuthService } from './auth.service';
import { SessionsRepository } from './sessions.repository';
import { TwoFactorRepository } from './two-factor.repository';
import { TwoFactorService } from './two-factor.service';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  providers: [
    UsersRepository,
    SessionsRepository,
    TwoFactorRepository,
    UsersService,
    AuthService,
    TwoFactorService,
  ],
  exports: [UsersService, AuthService, TwoFactorService],
})
export class UsersModule {}
