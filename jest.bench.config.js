/** npm run bench: benchmarks written against the test helpers and fakes; they print figures, never assert on time. */
const base = require('./jest.config.js');

module.exports = { ...base, roots: ['<rootDir>/test/bench'], testMatch: ['**/*.bench.ts'], maxWorkers: 1 };
