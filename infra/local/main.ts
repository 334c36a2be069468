import { parseArgs } from 'node:util';
import { startLocalApi } from './local-api.js';

const HELP = `Usage: npm start -- [--memory] [--data DIR] [--verbose]

Serves the posting API on http://127.0.0.1:$PORT (default 3000) with an embedded DynamoDB.

  --memory    keep the tables in memory; they are lost when the runner stops
  --data DIR  folder that keeps the tables across restarts (default .local-data/dynalite)
  --verbose   also print the functions' INFO log lines, such as the idempotency outcome of each request
  --help      print this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      memory: { type: 'boolean', default: false },
      data: { type: 'string', default: '.local-data/dynalite' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }

  // An empty PORT counts as unset, as in `PORT= npm start`.
  const port = Number(process.env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a TCP port number from 0 to 65535; received ${JSON.stringify(process.env.PORT)}.`);
  }
  // Lambda drops INFO lines when its log level is WARN; the runner does the same unless --verbose.
  process.env.AWS_LAMBDA_LOG_LEVEL ??= values.verbose ? 'INFO' : 'WARN';

  const api = await startLocalApi({ port, dataPath: values.memory ? undefined : values.data });
  const storage = values.memory ? 'in memory' : `in ${values.data}`;
  console.log(`Posting API listening on ${api.url} (tables ${storage}). Press Ctrl-C to stop.`);

  const stop = (signal: string) => {
    console.log(`${signal} received, stopping.`);
    api.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Stopping failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error((error as Error).message ?? String(error));
  process.exit(1);
});
