import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const libs = [
  'core',
  'users',
  'wallet',
  'accounts',
  'virtfusion',
  'plans',
  'billing',
  'servers',
  'notifications',
  'operations',
  'invoices',
  'contracts',
];

// A lib is used through its index only: `@ozvps/wallet`, never `@ozvps/wallet/src/...` nor a
// relative path into another lib; and nothing imports an app.
const boundaries = [
  { group: ['@ozvps/*/*'], message: 'Import a lib through its public API: @ozvps/<lib>.' },
  {
    group: libs.map((l) => `**/libs/${l}/**`),
    message: 'Import a lib through @ozvps/<lib>, not a path into it.',
  },
  { group: ['**/apps/*/**', '../../apps/**'], message: 'Libs and tests never import an app.' },
];
const restrict = (extra = [], paths = []) => ['error', { patterns: [...boundaries, ...extra], paths }];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [importX.createNodeResolver()],
      'import-x/internal-regex': '^@ozvps/',
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': restrict(),
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
    },
  },
  {
    // Dependencies point one way: core depends on no other lib; wallet may use users, not the reverse.
    files: ['libs/core/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['@ozvps/*'], message: 'libs/core depends on no other lib.' },
      ]),
    },
  },
  {
    // The shared JSON types (issue 20): plain TypeScript, importing nothing at all, so the web app
    // can use them without pulling in Nest or TypeORM.
    files: ['libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['*', '@*/*', '.*'], message: 'libs/contracts imports nothing: plain types only.' },
      ]),
    },
  },
  {
    files: ['libs/users/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [],
        ['@ozvps/wallet', '@ozvps/migrations'].map((name) => ({
          name,
          message: 'users depends only on core.',
        })),
      ),
    },
  },
  {
    // The VirtFusion client knows only the API it talks to; plans and servers use it, not the reverse.
    files: ['libs/virtfusion/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [],
        libs
          .filter((l) => l !== 'core' && l !== 'virtfusion')
          .map((l) => ({ name: `@ozvps/${l}`, message: 'virtfusion depends only on core.' })),
      ),
    },
  },
  {
    // The outbox is a leaf: the libs that cause messages (accounts, billing, servers, wallet) use
    // it; it uses only core and users (the recipient's preferences and the foreign key).
    files: ['libs/notifications/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [],
        [
          '@ozvps/wallet',
          '@ozvps/accounts',
          '@ozvps/plans',
          '@ozvps/billing',
          '@ozvps/servers',
          '@ozvps/migrations',
          '@ozvps/virtfusion',
        ].map((name) => ({ name, message: 'notifications depends only on core and users.' })),
      ),
    },
  },
  {
    // Operations reads what the others record (jobs, webhooks, ledger, outbox) and asks the outside
    // services whether they answer; it changes nothing of theirs, and nothing but the apps uses it.
    files: ['libs/operations/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [],
        ['@ozvps/accounts', '@ozvps/plans', '@ozvps/servers', '@ozvps/migrations'].map((name) => ({
          name,
          message: 'operations depends only on core, wallet, billing, notifications and virtfusion.',
        })),
      ),
    },
  },
  {
    // Documents are issued where the ledger row is written (wallet -> invoices), so invoices sits
    // below the wallet: it uses only core and users (the buyer), never the libs that move money.
    files: ['libs/invoices/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [],
        libs
          .filter((l) => !['core', 'users', 'invoices'].includes(l))
          .concat(['migrations'])
          .map((l) => ({ name: `@ozvps/${l}`, message: 'invoices depends only on core and users.' })),
      ),
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The web app: its own tsconfigs (DOM, JSX; the component tests with Jest's types).
    files: ['apps/web/**/*.ts', 'apps/web/**/*.tsx'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: ['apps/web/tsconfig.json', 'apps/web/tsconfig.spec.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
);
