import { Command, Option, SubCommand } from 'nest-commander';
import { User, UsersService } from '@ozvps/users';
import { GroupCommand, JsonOptions, OzvpsCommand, parseBoundedInt } from './base.command';
import { printAudit, printFields, printJson, printTable } from './output';

/** The `--json` shape of a user: a contract for scripts. */
export function userJson(u: User) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    stripeCustomerId: u.stripeCustomerId,
    createdAt: u.createdAt.toISOString(),
  };
}

function printUser(u: User): void {
  printFields([
    ['id', u.id],
    ['email', u.email],
    ['name', u.name || null],
    ['role', u.role],
    ['stripe customer', u.stripeCustomerId],
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
    if (options.json) return printJson(users.map(userJson));
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
    if (options.json) printJson(userJson(user));
    else printUser(user);
  }
}

interface CreateOptions extends JsonOptions {
  name?: string;
  admin?: boolean;
}

@SubCommand({ name: 'create', arguments: '<email>', description: 'create a user' })
export class UsersCreateCommand extends OzvpsCommand<CreateOptions> {
  protected readonly arity = 1;

  constructor(private readonly users: UsersService) {
    super();
  }

  protected async execute([email]: string[], options: CreateOptions): Promise<void> {
    const user = await this.users.create({
      email: email!,
      name: options.name,
      role: options.admin ? 'admin' : 'user',
    });
    printAudit(
      { action: 'users.create', user: `${user.id}:${user.email}`, extra: `role=${user.role}` },
      !!options.json,
    );
    if (options.json) printJson(userJson(user));
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
}

@Command({
  name: 'users',
  description: 'list, show and create users',
  subCommands: [UsersListCommand, UsersShowCommand, UsersCreateCommand],
})
export class UsersCommand extends GroupCommand {}
