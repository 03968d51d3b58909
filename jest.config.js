/** @type {import('jest').Config} */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  roots: [
    '<rootDir>/test',
    '<rootDir>/libs',
    '<rootDir>/apps/api',
    '<rootDir>/apps/cli',
    '<rootDir>/apps/web',
  ],
  testMatch: ['**/*.spec.ts', '**/*.spec.tsx'],
  // The installer suite changes the machine; it runs only through `npm run test:installer`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/installer/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swc],
    // ESM-only packages the web app uses (wouter and its helpers), compiled for Jest.
    '^.+/node_modules/(wouter|regexparam|mitt|use-sync-external-store)/.+\\.m?js$': [
      '@swc/jest',
      { module: { type: 'commonjs' } },
    ],
    // The web app's component tests (React, in jsdom: see each file's @jest-environment line).
    '^.+\\.tsx$': [
      '@swc/jest',
      {
        ...swc,
        jsc: {
          ...swc.jsc,
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic' } },
        },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(wouter|regexparam|mitt|use-sync-external-store)/)'],
  moduleNameMapper: {
    '^@ozvps/migrations$': '<rootDir>/migrations/index.ts',
    '^@ozvps/(.*)$': '<rootDir>/libs/$1/src/index.ts',
  },
  globalSetup: '<rootDir>/test/harness/global-setup.js',
  globalTeardown: '<rootDir>/test/harness/global-teardown.js',
  testTimeout: 120000,
  maxWorkers: 2,
};
