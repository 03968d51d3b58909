export * from './user.view';
export * from './errors';
export * from './user.entity';
export * from './users.module';
export { UsersService, normaliseEmail } from './users.service';
export type { CreateUserInput } from './users.service';

export { AuthService, InvalidCredentialsError, hashToken } from './auth.service';
export type { IssuedSession, ClientInfo } from './auth.service';
export { assertAcceptablePassword, PASSWORD_MIN_LENGTH } from './password-policy';
export { Session } from './session.entity';
export { CredentialsService } from './credentials.service';
export { UserSessionsService } from './user-sessions.service';
export type { SessionView } from './user-sessions.service';
export { browserSummary } from './browser-summary';

import { Session } from './session.entity';
import { User } from './user.entity';
export const USERS_ENTITIES = [User, Session];
