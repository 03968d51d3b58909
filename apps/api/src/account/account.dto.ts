import { IsEmail, IsString, MaxLength } from 'class-validator';

export class TokenDto {
  @IsString({ message: 'token is required' })
  @MaxLength(200)
  token!: string;
}

export class ForgotPasswordDto {
  @IsString({ message: 'email is required' })
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  email!: string;
}

export class ResetPasswordDto {
  @IsString({ message: 'token is required' })
  @MaxLength(200)
  token!: string;

  @IsString({ message: 'password is required' })
  @MaxLength(1024)
  password!: string;
}

export class ChangePasswordDto {
  @IsString({ message: 'currentPassword is required' })
  @MaxLength(1024)
  currentPassword!: string;

  @IsString({ message: 'newPassword is required' })
  @MaxLength(1024)
  newPassword!: string;
}

export class ChangeEmailDto {
  @IsString({ message: 'currentPassword is required' })
  @MaxLength(1024)
  currentPassword!: string;

  @IsString({ message: 'newEmail is required' })
  @MaxLength(254)
  @IsEmail({}, { message: 'newEmail must be an email address' })
  newEmail!: string;
}
