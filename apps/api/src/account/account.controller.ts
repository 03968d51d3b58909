import { Body, Controller, Get, Put } from '@nestjs/common';
import { IsBoolean } from 'class-validator';
import { User, UsersService } from '@ozvps/users';
import { CurrentUser } from '../auth/auth.decorators';

class PreferencesDto {
  @IsBoolean({ message: 'receiptsEmail must be true or false' })
  receiptsEmail!: boolean;
}

/** The signed-in customer's own settings. Warnings about money and servers cannot be switched off. */
@Controller('api/account')
export class AccountController {
  constructor(private readonly users: UsersService) {}

  @Get('preferences')
  preferences(@CurrentUser() user: User) {
    return { receiptsEmail: user.receiptsEmail };
  }

  @Put('preferences')
  async setPreferences(@CurrentUser() user: User, @Body() body: PreferencesDto) {
    const updated = await this.users.setReceiptsEmail(user, body.receiptsEmail);
    return { receiptsEmail: updated.receiptsEmail };
  }
}
