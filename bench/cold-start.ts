import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../infra/local/tables.js';
import type { Bundle, BundleName } from './bundles.js';
import { freshKey, postEvent } from './invoke.js';
import { rotation, summarize, type Summary } from './stats.js';

const execFileAsync = promisify(execFile);
const RUNNER = fileURLToPath(new URL('./cold-start-runner.cjs', import.meta.url));

/** The two kinds of handler: one that already loads the AWS SDK for its own work, and one that does not. */
export const COLD_START_KINDS = {
  withSdk: ['with-sdk-bare', 'with-sdk-idempotent-client', 'with-sdk-idempotent-lean', 'with-sdk-powertools'],
  withoutSdk: ['without-sdk-bare', 'without-sdk-idempotent', 'without-sdk-powertools'],
} as const satisfies Record<string, readonly BundleName[]>;
export type ColdStartKind = keyof typeof COLD_START_KINDS;

export interface ColdStart {
  /** Milliseconds from the runner's first line to the first response: loading the bundle plus serving one request. */
  totalMs: Summary;
  importMs: Summary;
  firstRequestMs: Summary;
  /** Milliseconds Node took to start before the runner's first line, the same for every bundle. */
  nodeStartMs: Summary;
  /** Bytes of JavaScript files loaded by the first response, the bundle and the SDK's files included. */
  loadedBytes: number;
}

export interface ColdStartEnvironment {
  dynamodbEndpoint: string;
  postingApiUrl: string;
  idempotentTable: string;
  powertoolsTable: string;
  postsTable: string;
  /** Folder with `@aws-sdk/*`, found through NODE_PATH as Lambda finds its SDK copy. */
  nodeModules: string;
}

/**
 * Starts a fresh Node process per run that loads one bundle and serves one request with a new key.
 * Runs of a kind are interleaved, each round in a rotated order. The environment is built from scratch,
 * with dummy credentials and the local DynamoDB endpoint, so no process can reach AWS.
 */
export async function measureColdStarts(
  bundles: Record<BundleName, Bundle>,
  environment: ColdStartEnvironment,
  runs: number,
): Promise<Record<ColdStartKind, Partial<Record<BundleName, ColdStart>>>> {
  const report = {} as Record<ColdStartKind, Partial<Record<BundleName, ColdStart>>>;
  for (const [kind, names] of Object.entries(COLD_START_KINDS) as Array<[ColdStartKind, readonly BundleName[]]>) {
    const samples = new Map<BundleName, ColdRun[]>(
      names.map((name) => [name, []]),
    );
    for (let run = 0; run < runs; run++) {
      for (const name of rotation(names, run)) {
        samples.get(name)?.push(await runColdProcess(bundles[name].path, environment, name));
      }
    }

    report[kind] = {};
    for (const [name, runsOfBundle] of samples) {
      report[kind][name] = {
        totalMs: summarize(runsOfBundle.map((sample) => sample.importMs + sample.firstRequestMs)),
        importMs: summarize(runsOfBundle.map((sample) => sample.importMs)),
        firstRequestMs: summarize(runsOfBundle.map((sample) => sample.firstRequestMs)),
        nodeStartMs: summarize(runsOfBundle.map((sample) => sample.nodeStartMs)),
        loadedBytes: Math.max(...runsOfBundle.map((sample) => sample.loadedBytes)),
      };
    }
  }
  return report;
}

interface ColdRun {
  nodeStartMs: number;
  importMs: number;
  firstRequestMs: number;
  loadedBytes: number;
}

async function runColdProcess(bundlePath: string, environment: ColdStartEnvironment, name: BundleName): Promise<ColdRun> {
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_PATH: environment.nodeModules,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: environment.dynamodbEndpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    IDEMPOTENCY_TABLE_NAME: environment.idempotentTable,
    POWERTOOLS_TABLE_NAME: environment.powertoolsTable,
    POSTS_TABLE_NAME: environment.postsTable,
    POSTING_API_URL: environment.postingApiUrl,
    BENCH_EVENT: JSON.stringify(postEvent(freshKey(`cold-${name}`))),
  };

  const { stdout } = await execFileAsync(process.execPath, [RUNNER, bundlePath], { env, timeout: 30_000 });
  const line = stdout.split('\n').find((text) => text.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`The cold-start run of ${name} printed no result. Its output:\n${stdout}`);

  const result = JSON.parse(line.slice('BENCH_RESULT '.length)) as ColdRun & { statusCode?: number };
  if (result.statusCode !== 201) throw new Error(`The cold-start run of ${name} returned status ${result.statusCode}, expected 201.`);
  return result;
}
