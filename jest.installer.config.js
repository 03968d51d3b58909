/**
 * npm run test:installer: the installer run for real on this machine (packages, services, /opt).
 * test/installer/run.mjs refuses to start it unless it is allowed to change the machine.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/installer'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 15 * 60 * 1000,
  maxWorkers: 1,
};
