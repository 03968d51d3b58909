export * from './user.view';
export * from './errors';
export * from './user.entity';
export * from './users.module';
export { UsersService, normaliseEmail } from './users.service';
export type { CreateUserInput } from './users.service';

export { AuthService, InvalidCredentialsError, hashToken } from './auth.service';
export type { IssuedSession, ClientInfo, LiveSession, SessionStage } from './auth.service';
export { TwoFactorService, RECOVERY_CODE_COUNT } from './two-factor.service';
export type { SecondFactorProof, TwoFactorEnrolment, TwoFactorStatus } from './two-factor.service';
export { assertAcceptablePassword, PASSWORD_MIN_LENGTH } from './password-policy';
export { Session } from './session.entity';
export { UserTwoFactor } from './user-two-factor.entity';
export { RecoveryCode } from './recovery-code.entity';
export { CredentialsService } from './credentials.service';
export { UserSessionsService } from './user-sessions.service';
export type { SessionView } from './user-sessions.service';
export { browserSummary } from './browser-summary';

import { RecoveryCode } from './recovery-code.entity';
import { Session } from './session.entity';
import { User } from './user.entity';
import { UserTwoFactor } from './user-two-factor.entity';
export const USERS_ENTITIES = [User, Session, UserTwoFactor, RecoveryCode];
