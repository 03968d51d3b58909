import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const CODE = /^\s*[0-9]{3}\s?[0-9]{3}\s*$/;
const CODE_MESSAGE = 'code must be the 6 digits your authenticator app shows';
const RECOVERY_MESSAGE = 'recoveryCode must be one of your recovery codes, like abcde-fghjk';

export class SecondFactorCodeDto {
  @IsString({ message: CODE_MESSAGE })
  @Matches(CODE, { message: CODE_MESSAGE })
  code!: string;
}

/** Either a code from the app or one recovery code (the controller insists on exactly one). */
export class VerifySecondFactorDto {
  @IsOptional()
  @IsString({ message: CODE_MESSAGE })
  @Matches(CODE, { message: CODE_MESSAGE })
  code?: string;

  @IsOptional()
  @IsString({ message: RECOVERY_MESSAGE })
  @Matches(/^\s*[A-Za-z0-9]{5}-?[A-Za-z0-9]{5}\s*$/, { message: RECOVERY_MESSAGE })
  recoveryCode?: string;
}

export class DisableSecondFactorDto extends SecondFactorCodeDto {
  @IsString({ message: 'password must be your current password' })
  @MaxLength(1024)
  password!: string;
}
