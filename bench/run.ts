// Benchmarks idempotent() against Powertools' idempotency middleware: DynamoDB requests per request,
// time per invocation, bundle size, cold start and duplicate executions under concurrency.
// Usage: npm run bench -- [--quick] [--json] [--save FILE]. docs/benchmarks.md describes each
// measurement.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localClient } from '../infra/local/tables.js';
import { bundleHandlers } from './bundles.js';
import { countCalls } from './call-counts.js';
import { measureColdStarts } from './cold-start.js';
import { runConcurrency } from './concurrency.js';
import { startDynaliteProcess } from './dynalite-process.js';
import { startPostingApi } from './posting-api.js';
import { formatReport } from './report.js';
import { deriveResult, type BenchSettings, type Machine } from './results.js';
import { createBenchTables, startBenchDatabase, TABLES } from './setup.js';
import { timeInvocations } from './timing.js';
import { buildVariants } from './variants.js';

const SETTINGS: Record<'full' | 'quick', BenchSettings> = {
  full: { iterations: 2000, warmup: 200, coldStartRuns: 30, concurrency: 64, concurrencyRounds: 10 },
  quick: { iterations: 40, warmup: 10, coldStartRuns: 2, concurrency: 64, concurrencyRounds: 2 },
};

const REPOSITORY = fileURLToPath(new URL('../', import.meta.url));

const USAGE = `Usage: npm run bench -- [--quick] [--json] [--save FILE]

  --quick      small counts, about 10 s; timing targets are not judged
  --json       print one JSON object instead of the tables
  --save FILE  also write the JSON object to FILE
  --help       print this help`;

function readFlags(): { quick: boolean; json: boolean; save?: string; help: boolean } {
  try {
    const { values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        // Writes the JSON result to this file as well, so one run gives both the tables and the JSON.
        save: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
    return values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

const flags = readFlags();
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const mode = flags.quick ? 'quick' : 'full';
const settings = SETTINGS[mode];

/** Prints progress on stderr, so `--json` leaves stdout to the result. */
function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function describeMachine(): Promise<Machine> {
  const packages: Record<string, string> = {};
  for (const name of ['@aws-lambda-powertools/idempotency', '@aws-sdk/client-dynamodb', '@middy/core', 'dynalite', 'esbuild']) {
    const manifest = JSON.parse(await readFile(join(REPOSITORY, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    packages[name] = manifest.version;
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `Linux ${release()}`,
    node: process.versions.node,
    packages,
  };
}

async function main(): Promise<void> {
  const started = performance.now();

  // Any client built without an explicit endpoint reaches the local server, never AWS, and the SDK's
  // credential chain stops at these dummy keys instead of asking an instance metadata service.
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  });

  progress('starting dynalite in this process');
  const database = await startBenchDatabase();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = database.server.endpoint;
  const workDir = await mkdtemp(join(tmpdir(), 'idempotency-bench-'));

  try {
    progress('counting DynamoDB requests per scenario');
    const calls = await countCalls(database.proxy, database.proxyClient, TABLES);

    progress(`sending ${settings.concurrency} concurrent requests, ${settings.concurrencyRounds} rounds per middleware`);
    const direct = buildVariants({ endpoint: database.server.endpoint, client: database.client, ...TABLES, localCache: false });
    const concurrency = await runConcurrency(direct, { concurrency: settings.concurrency, rounds: settings.concurrencyRounds });

    progress(`timing ${settings.iterations} invocations per variant and scenario against dynalite in a child process`);
    const timedServer = await startDynaliteProcess();
    const timedClient = localClient(timedServer.endpoint);
    let timing;
    try {
      await createBenchTables(timedClient);
      const timedVariants = buildVariants({ endpoint: timedServer.endpoint, client: timedClient, ...TABLES, localCache: false });
      timing = await timeInvocations(timedVariants, settings);
    } finally {
      timedClient.destroy();
      await timedServer.stop();
    }

    progress('bundling the handlers with esbuild');
    const bundles = await bundleHandlers(join(workDir, 'bundles'));

    progress(`measuring cold starts, ${settings.coldStartRuns} runs per bundle`);
    const postingApi = await startPostingApi();
    let coldStart;
    try {
      coldStart = await measureColdStarts(
        bundles,
        {
          dynamodbEndpoint: database.server.endpoint,
          postingApiUrl: postingApi.url,
          ...TABLES,
          nodeModules: join(REPOSITORY, 'node_modules'),
        },
        settings.coldStartRuns,
      );
    } finally {
      await postingApi.close();
    }

    const result = deriveResult({
      mode,
      settings,
      machine: await describeMachine(),
      calls,
      timing,
      bundles,
      coldStart,
      concurrency,
      durationSeconds: Math.round((performance.now() - started) / 1000),
    });
    if (flags.save) await writeFile(flags.save, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${formatReport(result)}\n`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
    await database.close();
  }
}

await main();
