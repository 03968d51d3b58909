import { Injectable } from '@nestjs/common';
import { Command, Option, SubCommand } from 'nest-commander';
import { AccountsService, PasswordResetService, TwoFactorResetService } from '@ozvps/accounts';
import { AuthService, toUserView, User, UsersService } from '@ozvps/users';
import { GroupCommand, JsonOptions, OzvpsCommand, parseBoundedInt } from './base.command';
import { UsageError } from './cli-errors';
import { auditActor, printAudit, printFields, printJson, printTable, printText } from './output';
import { readSecretFromStdin } from './stdin';

function printUser(u: User): void {
  printFields([
    ['id', u.id],
    ['email', u.email],
    ['name', u.name || null],
    ['role', u.role],
    ['stripe customer', u.stripeCustomerId],
    ['disabled', u.disabledAt?.toISOString() ?? null],
    ['created', u.createdAt.toISOString()],
  ]);
}

interface ListOptions extends JsonOptions {
  limit?: string;
  after?: string;
}

@SubCommand({ name: 'list', description: 'list users in id order' })
export class UsersListCommand extends OzvpsCommand<ListOptions> {
  protected readonly arity = 0;

  constructor(private readonly users: UsersService) {
    super();
  }

  protected async execute(_: string[], options: ListOptions): Promise<void> {
    const limit = options.limit === undefined ? 100 : parseBoundedInt(options.limit, '--limit', 1, 1000);
    const after =
      options.after === undefined
        ? undefined
        : parseBoundedInt(options.after, '--after', 0, Number.MAX_SAFE_INTEGER);
    const users = await this.users.list(limit, after);
    if (options.json) return printJson(users.map(toUserView));
    printTable(
      users.map((u) => ({
        id: u.id,
        email: u.email,
        name: u.name || null,
        role: u.role,
        created: u.createdAt.toISOString().slice(0, 10),
      })),
      ['id', 'email', 'name', 'role', 'created'],
    );
  }

  @Option({ flags: '--limit <n>', description: 'at most this many users (default 100)' })
  parseLimit(value: string): string {
    return value;
  }

  @Option({ flags: '--after <id>', description: 'continue after this user id' })
  parseAfter(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'show', arguments: '<user>', description: 'show one user (by email or id)' })
export class UsersShowCommand extends OzvpsCommand {
  protected readonly arity = 1;

  constructor(private readonly users: UsersService) {
    super();
  }

  protected async execute([reference]: string[], options: JsonOptions): Promise<void> {
    const user = await this.users.findByReference(reference!);
    if (options.json) printJson(toUserView(user));
    else printUser(user);
  }
}

interface CreateOptions extends JsonOptions {
  name?: string;
  admin?: boolean;
  passwordStdin?: boolean;
}

@SubCommand({ name: 'create', arguments: '<email>', description: 'create a user' })
export class UsersCreateCommand extends OzvpsCommand<CreateOptions> {
  protected readonly arity = 1;

  constructor(
    private readonly accounts: AccountsService,
    private readonly auth: AuthService,
  ) {
    super();
  }

  protected async execute([email]: string[], options: CreateOptions): Promise<void> {
    const passwordHash = options.passwordStdin
      ? await this.auth.hashPassword(await readSecretFromStdin('password'), email)
      : null;
    const user = await this.accounts.createByOperator({
      email: email!,
      name: options.name,
      role: options.admin ? 'admin' : 'user',
      passwordHash,
    });
    printAudit(
      { action: 'users.create', user: `${user.id}:${user.email}`, extra: `role=${user.role}` },
      !!options.json,
    );
    if (options.json) printJson(toUserView(user));
    else printUser(user);
  }

  @Option({ flags: '--name <name>', description: 'display name' })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--admin', description: 'give the user the admin role' })
  parseAdmin(): boolean {
    return true;
  }

  @Option({ flags: '--password-stdin', description: 'read a password for sign-in from stdin' })
  parsePasswordStdin(): boolean {
    return true;
  }
}

interface SetRoleOptions extends JsonOptions {
  yes?: boolean;
}

@SubCommand({
  name: 'set-role',
  arguments: '<user> <role>',
  description: 'make a user an admin, or a user again (needs --yes)',
})
export class UsersSetRoleCommand extends OzvpsCommand<SetRoleOptions> {
  protected readonly arity = 2;

  constructor(private readonly users: UsersService) {
    super();
  }

  protected async execute([reference, role]: string[], options: SetRoleOptions): Promise<void> {
    if (role !== 'user' && role !== 'admin')
      throw new UsageError(`role must be user or admin (got "${role?.slice(0, 20)}")`);
    const user = await this.users.findByReference(reference!);
    if (!options.yes) {
      throw new UsageError(
        `Not changed: ${user.email} is ${user.role}. Add --yes to make them ${role}: ozvpsctl users set-role ${user.id} ${role} --yes`,
      );
    }
    const updated = await this.users.setRole(user, role, auditActor());
    printAudit(
      {
        action: 'users.set-role',
        user: `${user.id}:${user.email}`,
        extra: `role=${user.role}->${updated.role}`,
      },
      !!options.json,
    );
    if (options.json) printJson(toUserView(updated));
    else printUser(updated);
  }

  @Option({ flags: '--yes', description: 'confirm the change' })
  parseYes(): boolean {
    return true;
  }
}

interface SetPasswordOptions extends JsonOptions {
  passwordStdin?: boolean;
}

@SubCommand({
  name: 'set-password',
  arguments: '<user>',
  description: 'set a password (from stdin) and sign the user out everywhere',
})
export class UsersSetPasswordCommand extends OzvpsCommand<SetPasswordOptions> {
  protected readonly arity = 1;

  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
  ) {
    super();
  }

  protected async execute([reference]: string[], options: SetPasswordOptions): Promise<void> {
    if (!options.passwordStdin)
      throw new UsageError('give the password on stdin with --password-stdin (never as an argument)');
    const user = await this.users.findByReference(reference!);
    const password = await readSecretFromStdin('password');
    const revoked = await this.auth.setPassword(user, password, auditActor());
    printAudit(
      {
        action: 'users.set-password',
        user: `${user.id}:${user.email}`,
        extra: `sessions_revoked=${revoked}`,
      },
      !!options.json,
    );
    if (options.json) printJson({ userId: user.id, email: user.email, sessionsRevoked: revoked });
    else printText(`password set for ${user.email}; ${revoked} session(s) signed out\n`);
  }

  @Option({ flags: '--password-stdin', description: 'read the new password from stdin' })
  parsePasswordStdin(): boolean {
    return true;
  }
}

interface ResetTwoFactorOptions extends JsonOptions {
  yes?: boolean;
}

@SubCommand({
  name: 'reset-2fa',
  arguments: '<user>',
  description:
    'turn off two-factor sign-in for a user who lost their device, sign them out, email them (needs --yes)',
})
export class UsersResetTwoFactorCommand extends OzvpsCommand<ResetTwoFactorOptions> {
  protected readonly arity = 1;

  constructor(
    private readonly users: UsersService,
    private readonly resets: TwoFactorResetService,
  ) {
    super();
  }

  protected async execute([reference]: string[], options: ResetTwoFactorOptions): Promise<void> {
    const user = await this.users.findByReference(reference!);
    if (!options.yes) {
      throw new UsageError(
        `Not changed: ${user.email} keeps two-factor sign-in. Add --yes to turn it off, sign them out everywhere and email them: ozvpsctl users reset-2fa ${user.id} --yes`,
      );
    }
    const result = await this.resets.reset(user, auditActor());
    printAudit(
      {
        action: 'users.reset-2fa',
        user: `${user.id}:${user.email}`,
        extra: `two_factor=${result.hadTwoFactor ? 'on->off' : 'off'} sessions_revoked=${result.sessionsRevoked}`,
      },
      !!options.json,
    );
    if (options.json)
      printJson({
        userId: user.id,
        email: user.email,
        hadTwoFactor: result.hadTwoFactor,
        sessionsRevoked: result.sessionsRevoked,
      });
    else
      printText(
        `two-factor sign-in ${result.hadTwoFactor ? 'turned off' : 'was already off'} for ${user.email}; ${result.sessionsRevoked} session(s) signed out; they have been emailed\n`,
      );
  }

  @Option({ flags: '--yes', description: 'confirm the reset' })
  parseYes(): boolean {
    return true;
  }
}

interface YesOptions extends JsonOptions {
  yes?: boolean;
}

/** `users disable` and `users enable`: one switch, two names. Decorated so Nest reads its constructor. */
@Injectable()
abstract class UsersSwitchCommand extends OzvpsCommand<YesOptions> {
  protected readonly arity = 1;
  protected abstract readonly disable: boolean;

  constructor(private readonly users: UsersService) {
    super();
  }

  protected async execute([reference]: string[], options: YesOptions): Promise<void> {
    const user = await this.users.findByReference(reference!);
    const verb = this.disable ? 'disable' : 'enable';
    if (!options.yes)
      throw new UsageError(
        this.disable
          ? `Not disabled: ${user.email} would be signed out everywhere and could not sign in (their servers keep running). Add --yes to confirm: ozvpsctl users disable ${user.id} --yes`
          : `Not enabled: ${user.email} could sign in again. Add --yes to confirm: ozvpsctl users enable ${user.id} --yes`,
      );
    const updated = await this.users.setDisabled(user, this.disable, auditActor());
    printAudit(
      {
        action: `users.${verb}`,
        user: `${user.id}:${user.email}`,
        extra: `disabled=${user.disabledAt !== null}->${updated.disabledAt !== null}`,
      },
      !!options.json,
    );
    if (options.json) printJson(toUserView(updated));
    else printUser(updated);
  }

  @Option({ flags: '--yes', description: 'confirm the change' })
  parseYes(): boolean {
    return true;
  }
}

@SubCommand({
  name: 'disable',
  arguments: '<user>',
  description: 'stop a user signing in and end their sessions; servers keep running (needs --yes)',
})
export class UsersDisableCommand extends UsersSwitchCommand {
  protected readonly disable = true;
}

@SubCommand({
  name: 'enable',
  arguments: '<user>',
  description: 'let a disabled user sign in again (needs --yes)',
})
export class UsersEnableCommand extends UsersSwitchCommand {
  protected readonly disable = false;
}

@SubCommand({
  name: 'sign-out',
  arguments: '<user>',
  description: "end every session of a user's (sign out everywhere)",
})
export class UsersSignOutCommand extends OzvpsCommand {
  protected readonly arity = 1;

  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
  ) {
    super();
  }

  protected async execute([reference]: string[], options: JsonOptions): Promise<void> {
    const user = await this.users.findByReference(reference!);
    const revoked = await this.auth.signOutEverywhere(user, auditActor());
    printAudit(
      {
        action: 'users.sign-out-everywhere',
        user: `${user.id}:${user.email}`,
        extra: `sessions_revoked=${revoked}`,
      },
      !!options.json,
    );
    if (options.json) printJson({ userId: user.id, email: user.email, sessionsRevoked: revoked });
    else printText(`${user.email}: ${revoked} session(s) signed out\n`);
  }
}

@SubCommand({
  name: 'send-reset-link',
  arguments: '<user>',
  description: 'email the user a password reset link (valid 1 hour; never shown here)',
})
export class UsersSendResetLinkCommand extends OzvpsCommand {
  protected readonly arity = 1;

  constructor(
    private readonly users: UsersService,
    private readonly passwordReset: PasswordResetService,
  ) {
    super();
  }

  protected async execute([reference]: string[], options: JsonOptions): Promise<void> {
    const user = await this.users.findByReference(reference!);
    const { email, expiresAt } = await this.passwordReset.sendByAdmin(user.id, auditActor());
    printAudit({ action: 'users.password-reset-link', user: `${user.id}:${email}` }, !!options.json);
    if (options.json) printJson({ userId: user.id, sentTo: email, expiresAt: expiresAt.toISOString() });
    else printText(`reset link emailed to ${email}; it works until ${expiresAt.toISOString()}\n`);
  }
}

@Command({
  name: 'users',
  description: 'list, show and create users; roles, passwords, 2FA',
  subCommands: [
    UsersListCommand,
    UsersShowCommand,
    UsersCreateCommand,
    UsersSetRoleCommand,
    UsersSetPasswordCommand,
    UsersResetTwoFactorCommand,
    UsersDisableCommand,
    UsersEnableCommand,
    UsersSignOutCommand,
    UsersSendResetLinkCommand,
  ],
})
export class UsersCommand extends GroupCommand {}
