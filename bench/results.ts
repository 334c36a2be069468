import type { Bundle, BundleName } from './bundles.js';
import type { CallCountReport, CallCounts, Scenario } from './call-counts.js';
import type { ColdStart, ColdStartKind } from './cold-start.js';
import type { ConcurrencyResult } from './concurrency.js';
import { round } from './stats.js';
import type { TimingReport } from './timing.js';
import type { MiddlewareName } from './variants.js';

/** Sample sizes of one run. */
export interface BenchSettings {
  /** Recorded invocations per variant and timed scenario. */
  iterations: number;
  /** Unrecorded rounds before them. */
  warmup: number;
  /** Fresh processes per cold-start bundle. */
  coldStartRuns: number;
  /** Identical requests sent at once. */
  concurrency: number;
  /** Rounds of concurrent requests per middleware, each with a new key. */
  concurrencyRounds: number;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  packages: Record<string, string>;
}

/** Everything one run measured, before the ratios and targets are derived. */
export interface Measurements {
  mode: 'full' | 'quick';
  settings: BenchSettings;
  machine: Machine;
  calls: CallCountReport;
  timing: TimingReport;
  bundles: Record<BundleName, Bundle>;
  coldStart: Record<ColdStartKind, Partial<Record<BundleName, ColdStart>>>;
  concurrency: Record<MiddlewareName, ConcurrencyResult>;
  durationSeconds: number;
}

export interface Target {
  name: string;
  expected: string;
  measured: string;
  met: boolean;
  /** Set for targets judged on timings, which quick mode measures too few times to judge. */
  timed?: true;
}

/** The `--json` output. */
export interface BenchResult {
  mode: 'full' | 'quick';
  machine: Machine;
  settings: BenchSettings;
  /** DynamoDB requests dynalite received per request of each scenario. */
  dynamodbCalls: Record<MiddlewareName, Record<Scenario, number>>;
  /** The same, with the proxy returning the old item on a failed PutItem as DynamoDB does. */
  dynamodbCallsWithAllOld: Record<MiddlewareName, Record<Scenario, number>>;
  dynamodbOperations: { dynalite: CallCounts; allOld: CallCounts };
  sdkCountMismatches: string[];
  timing: TimingReport;
  bundles: Record<BundleName, { bytes: number; gzipBytes: number; sources: Record<string, number> }>;
  /** Minified bytes each middleware adds to the bare handler's bundle. */
  middlewareBytes: Record<MiddlewareName, number>;
  coldStart: Record<ColdStartKind, Partial<Record<BundleName, ColdStart>>>;
  /** The store choice for a handler that already uses the SDK: its client, or the lean default. */
  withSdkChoice: 'with-sdk-idempotent-client' | 'with-sdk-idempotent-lean';
  concurrency: Record<MiddlewareName, ConcurrencyResult>;
  executionsPerKey: Record<MiddlewareName, number>;
  /** Ours divided by Powertools'. */
  ratios: {
    overhead: number;
    overheadWall: number;
    overheadReplay: number;
    bundle: number;
    coldStartWithSdk: number;
    coldStartWithSdkAdded: number;
    coldStartWithoutSdk: number;
    coldStartWithoutSdkAdded: number;
  };
  targets: Target[];
  durationSeconds: number;
}

const MINIMUM_CALLS: Record<Scenario, number> = { first: 2, replay: 1, warmReplay: 0, conflict: 1 };

function callsOnly(counts: CallCounts): Record<MiddlewareName, Record<Scenario, number>> {
  const only = (name: MiddlewareName) => ({
    first: counts[name].first.calls,
    replay: counts[name].replay.calls,
    warmReplay: counts[name].warmReplay.calls,
    conflict: counts[name].conflict.calls,
  });
  return { idempotent: only('idempotent'), powertools: only('powertools') };
}

function medianTotal(coldStart: Partial<Record<BundleName, ColdStart>>, name: BundleName): number {
  const measured = coldStart[name];
  if (!measured) throw new Error(`No cold-start measurement for ${name}.`);
  return measured.totalMs.median;
}

/** Derives the ratios and checks the targets. */
export function deriveResult(measurements: Measurements): BenchResult {
  const { timing, bundles, coldStart, concurrency } = measurements;
  const dynamodbCalls = callsOnly(measurements.calls.dynalite);
  const dynamodbCallsWithAllOld = callsOnly(measurements.calls.allOld);

  const middlewareBytes = {
    idempotent: bundles['without-sdk-idempotent'].bytes - bundles['without-sdk-bare'].bytes,
    powertools: bundles['without-sdk-powertools'].bytes - bundles['without-sdk-bare'].bytes,
  };

  const withSdk = coldStart.withSdk;
  const withSdkChoice =
    medianTotal(withSdk, 'with-sdk-idempotent-client') <= medianTotal(withSdk, 'with-sdk-idempotent-lean')
      ? 'with-sdk-idempotent-client'
      : 'with-sdk-idempotent-lean';
  const withSdkBare = medianTotal(withSdk, 'with-sdk-bare');
  const withSdkOurs = medianTotal(withSdk, withSdkChoice);
  const withSdkPowertools = medianTotal(withSdk, 'with-sdk-powertools');

  const withoutSdk = coldStart.withoutSdk;
  const withoutSdkBare = medianTotal(withoutSdk, 'without-sdk-bare');
  const withoutSdkOurs = medianTotal(withoutSdk, 'without-sdk-idempotent');
  const withoutSdkPowertools = medianTotal(withoutSdk, 'without-sdk-powertools');

  const ratios = {
    overhead: round(timing.first.overheadCpuMs.idempotent / timing.first.overheadCpuMs.powertools),
    overheadWall: round(timing.first.overheadWallMs.idempotent / timing.first.overheadWallMs.powertools),
    overheadReplay: round(timing.replay.overheadCpuMs.idempotent / timing.replay.overheadCpuMs.powertools),
    bundle: round(middlewareBytes.idempotent / middlewareBytes.powertools),
    coldStartWithSdk: round(withSdkOurs / withSdkPowertools),
    coldStartWithSdkAdded: round((withSdkOurs - withSdkBare) / (withSdkPowertools - withSdkBare)),
    coldStartWithoutSdk: round(withoutSdkOurs / withoutSdkPowertools),
    coldStartWithoutSdkAdded: round((withoutSdkOurs - withoutSdkBare) / (withoutSdkPowertools - withoutSdkBare)),
  };

  const executionsPerKey = {
    idempotent: concurrency.idempotent.maxExecutionsPerKey,
    powertools: concurrency.powertools.maxExecutionsPerKey,
  };

  const callTargets = (Object.keys(MINIMUM_CALLS) as Scenario[]).map((scenario) => ({
    name: `DynamoDB calls, ${scenario} (DynamoDB's ALL_OLD return emulated)`,
    expected: `${MINIMUM_CALLS[scenario]}`,
    measured: `${dynamodbCallsWithAllOld.idempotent[scenario]} (on dynalite: ${dynamodbCalls.idempotent[scenario]})`,
    met: dynamodbCallsWithAllOld.idempotent[scenario] <= MINIMUM_CALLS[scenario],
  }));

  const targets: Target[] = [
    ...callTargets,
    {
      name: 'Overhead per warm first request, CPU time',
      expected: '<= 0.5 of Powertools',
      measured: `${ratios.overhead} (${timing.first.overheadCpuMs.idempotent} vs ${timing.first.overheadCpuMs.powertools} ms)`,
      met: ratios.overhead <= 0.5,
      timed: true,
    },
    {
      name: 'Middleware bundle size',
      expected: '<= 0.25 of Powertools',
      measured: `${ratios.bundle} (${middlewareBytes.idempotent} vs ${middlewareBytes.powertools} bytes)`,
      met: ratios.bundle <= 0.25,
    },
    {
      name: 'Cold start, handler without the SDK',
      expected: '<= 0.5 of Powertools',
      measured: `${ratios.coldStartWithoutSdk} (${round(withoutSdkOurs, 1)} vs ${round(withoutSdkPowertools, 1)} ms)`,
      met: ratios.coldStartWithoutSdk <= 0.5,
      timed: true,
    },
    {
      name: 'Cold start added to a handler with the SDK',
      expected: '<= what Powertools adds',
      measured: `${round(withSdkOurs - withSdkBare, 1)} vs ${round(withSdkPowertools - withSdkBare, 1)} ms (${withSdkChoice})`,
      met: withSdkOurs - withSdkBare <= withSdkPowertools - withSdkBare,
      timed: true,
    },
    {
      name: 'Executions per key, 64 concurrent requests',
      expected: '1',
      measured: `${executionsPerKey.idempotent} (Powertools: ${executionsPerKey.powertools})`,
      met: executionsPerKey.idempotent === 1,
    },
  ];

  return {
    mode: measurements.mode,
    machine: measurements.machine,
    settings: measurements.settings,
    dynamodbCalls,
    dynamodbCallsWithAllOld,
    dynamodbOperations: { dynalite: measurements.calls.dynalite, allOld: measurements.calls.allOld },
    sdkCountMismatches: measurements.calls.sdkCountMismatches,
    timing,
    bundles: Object.fromEntries(
      Object.entries(bundles).map(([name, bundle]) => [name, { bytes: bundle.bytes, gzipBytes: bundle.gzipBytes, sources: bundle.sources }]),
    ) as BenchResult['bundles'],
    middlewareBytes,
    coldStart,
    withSdkChoice,
    concurrency,
    executionsPerKey,
    ratios,
    targets,
    durationSeconds: measurements.durationSeconds,
  };
}
