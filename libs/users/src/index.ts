export * from './errors';
export * from './user.entity';
export * from './users.module';
export { UsersService, normaliseEmail } from './users.service';
export type { CreateUserInput } from './users.service';

import { User } from './user.entity';
export const USERS_ENTITIES = [User];
