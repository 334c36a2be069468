import base from './jest.config.js';

/**
 * Runs the HTTP suites a second time on Middy 7, installed under the alias `middy-core-7`, because the
 * library supports both Middy 6 and Middy 7 and npm picks 6 on Node 20.
 */
export default {
  ...base,
  displayName: 'middy 7',
  testMatch: ['<rootDir>/test/http/**/*.test.ts', '<rootDir>/test/e2e/local-api.test.ts', '<rootDir>/test/middy-version.test.ts'],
  // Middy 7's packages export ES modules only under the "import" condition, so Jest gets their paths.
  moduleNameMapper: {
    '^@middy/core$': '<rootDir>/node_modules/middy-core-7/index.js',
    '^@middy/util$': '<rootDir>/node_modules/middy-core-7/node_modules/@middy/util/index.js',
    ...base.moduleNameMapper,
  },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|middy-core-7)/)'],
};
