export * from './accounts.module';
export { AccountsService } from './accounts.service';
export type { SignupInput } from './accounts.service';
