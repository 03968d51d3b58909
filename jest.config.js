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
  roots: ['<rootDir>/test', '<rootDir>/libs', '<rootDir>/apps/api', '<rootDir>/apps/cli'],
  testMatch: ['**/*.spec.ts'],
  // The installer suite changes the machine; it runs only through `npm run test:installer`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/installer/'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: {
    '^@ozvps/migrations$': '<rootDir>/migrations/index.ts',
    '^@ozvps/(.*)$': '<rootDir>/libs/$1/src/index.ts',
  },
  globalSetup: '<rootDir>/test/harness/global-setup.js',
  globalTeardown: '<rootDir>/test/harness/global-teardown.js',
  testTimeout: 120000,
  maxWorkers: 2,
};
