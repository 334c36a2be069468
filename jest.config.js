/** Jest runs the TypeScript sources through SWC; `tsc --noEmit` type-checks them separately. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // @middy packages ship ES modules only, so SWC turns them into CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  // Sources import siblings as `./file.js`, as Node's ESM resolution requires; Jest resolves the `.ts`.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 30000,
};
