import 'reflect-metadata';
import { Command } from 'commander';
import { testConfig } from '../../../test/helpers/panel';
import { CliModule } from './cli.module';
import { COMMAND_GROUPS, rootHelp } from './command-catalog';

/** nest-commander's metadata key for `@Command` (its constants are not exported). */
const COMMAND_META = 'CommandBuilder:Command:Meta';

/** The groups the full CLI registers, in its order, as their `@Command` decorators describe them. */
function registeredGroups(): { name: string; description: string }[] {
  const providers = CliModule.forRoot(testConfig('postgres://unused@127.0.0.1:1/unused')).providers ?? [];
  return providers.flatMap((provider) => {
    const meta = (typeof provider === 'function' && Reflect.getMetadata(COMMAND_META, provider)) as
      { name: string; description?: string } | undefined;
    return meta ? [{ name: meta.name, description: meta.description ?? '' }] : [];
  });
}

describe('the static command catalog (what --help answers from without the container)', () => {
  it('names every command group the CLI registers, in order, with its own description', () => {
    const registered = registeredGroups();
    expect(registered.length).toBeGreaterThan(0);
    expect(COMMAND_GROUPS).toEqual(registered);
  });

  it('lays the root help out exactly as commander does for the same program', () => {
    const program = new Command('ozvpsctl').version('0.0.0');
    for (const group of registeredGroups()) program.command(group.name).description(group.description);
    expect(rootHelp()).toBe(program.helpInformation());
  });
});
