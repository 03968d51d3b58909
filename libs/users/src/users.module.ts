import { Module } from '@nestjs/common';
import { AuthService } from './auth.service';
import { SessionsRepository } from './sessions.repository';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  providers: [UsersRepository, SessionsRepository, UsersService, AuthService],
  exports: [UsersService, AuthService],
})
export class UsersModule {}
