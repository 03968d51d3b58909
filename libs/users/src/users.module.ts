import { Module } from '@nestjs/common';
import { AuthService } from './auth.service';
import { CredentialsService } from './credentials.service';
import { SessionsRepository } from './sessions.repository';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';
import { UserSessionsService } from './user-sessions.service';

@Module({
  providers: [
    UsersRepository,
    SessionsRepository,
    UsersService,
    AuthService,
    CredentialsService,
    UserSessionsService,
  ],
  exports: [UsersService, AuthService, CredentialsService, UserSessionsService],
})
export class UsersModule {}
