'use strict';
// Runs in a fresh Node process: loads one bundled handler, serves one request and prints the times.
// Plain CommonJS, so no TypeScript loader runs before the handler, as in Lambda.
const started = performance.now();
const { handler } = require(process.argv[2]);
const imported = performance.now();

const context = {
  functionName: 'bench',
  awsRequestId: 'cold-start',
  getRemainingTimeInMillis: () => 30000,
};

Promise.resolve(handler(JSON.parse(process.env.BENCH_EVENT), context)).then(
  (response) => {
    const finished = performance.now();
    // Counted after the clock stopped: the bytes of every CommonJS file loaded so far, bundle included.
    const fs = require('node:fs');
    const loadedBytes = Object.keys(require.cache).reduce((sum, file) => sum + fs.statSync(file).size, 0);
    const result = {
      loadedBytes,
      nodeStartMs: started,
      importMs: imported - started,
      firstRequestMs: finished - imported,
      statusCode: response && response.statusCode,
    };
    process.stdout.write(`\nBENCH_RESULT ${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`The handler failed: ${error && error.stack}\n`);
    process.exit(1);
  },
);
