/**
 * nest-commander requires inquirer (~0.3 s) when it loads, for prompts ozvpsctl never shows
 * (confirmation is `--yes`, secrets come on stdin). Its module object is stood in for by a proxy
 * that loads the real one at first use, so a command that did prompt would still work.
 */
const NEST_PROBES = new Set([
  'then',
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

export function deferInquirer(): void {
  let path: string;
  try {
    path = require.resolve('inquirer', { paths: [require.resolve('nest-commander')] });
  } catch {
    return; // laid out differently: nothing to defer, nest-commander loads it as before
  }
  if (require.cache[path]) return;
  let real: Record<string | symbol, unknown> | undefined;
  const load = (): Record<string | symbol, unknown> => {
    if (!real) {
      delete require.cache[path];
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded synchronously, inside a property read
      real = require(path) as Record<string | symbol, unknown>;
    }
    return real;
  };
  const stand = new Proxy({} as Record<string | symbol, unknown>, {
    get: (target, key) => {
      // `__esModule` keeps TypeScript's __importStar from copying (and so loading) every export.
      if (key === '__esModule') return true;
      // What Nest asks of every provider's value while it builds and closes the container.
      if (typeof key === 'symbol' || key in target || NEST_PROBES.has(key)) return Reflect.get(target, key);
      return load()[key];
    },
    has: (target, key) => key in target || key in load(),
  });
  require.cache[path] = { id: path, filename: path, loaded: true, exports: stand } as NodeJS.Module;
}
