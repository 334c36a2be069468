// Runs the benchmark in quick mode, so the script keeps working. It checks the shape of the JSON and
// the counts, never the timings: those depend on the machine.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchResult } from '../../bench/results.js';

const execFileAsync = promisify(execFile);
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const SCENARIOS = ['first', 'replay', 'warmReplay', 'conflict'] as const;

let result: BenchResult;

beforeAll(async () => {
  const { stdout } = await execFileAsync(TSX, ['bench/run.ts', '--quick', '--json'], {
    timeout: 110_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  result = JSON.parse(stdout) as BenchResult;
}, 120_000);

describe('bench --quick --json', () => {
  test('idempotent calls on dynalite', () => {
    // dynalite returns no item with a failed condition, so a replay and a conflict read it once more.
    expect(result.dynamodbCalls.idempotent).toEqual({ first: 2, replay: 2, warmReplay: 0, conflict: 2 });
  });

  test('idempotent calls with ALL_OLD', () => {
    expect(result.dynamodbCallsWithAllOld.idempotent).toEqual({ first: 2, replay: 1, warmReplay: 0, conflict: 1 });
  });

  test('idempotent operations per scenario', () => {
    const operations = result.dynamodbOperations.allOld.idempotent;
    expect(operations.first.operations).toEqual({ PutItem: 1, UpdateItem: 1 });
    expect(operations.replay.operations).toEqual({ PutItem: 1 });
    expect(operations.conflict.operations).toEqual({ PutItem: 1 });
    expect(operations.first.outcome).toBe('201');
    expect(operations.replay.outcome).toBe('201');
    expect(operations.warmReplay.outcome).toBe('201');
    expect(operations.conflict.outcome).toBe('422');
  });

  test('powertools calls counted', () => {
    const calls = result.dynamodbCalls.powertools;
    expect(calls.first).toBe(2);
    expect(calls.replay).toBe(2);
    expect(calls.warmReplay).toBe(0);
    expect(calls.conflict).toBeGreaterThanOrEqual(1);
    expect(result.dynamodbCallsWithAllOld.powertools.replay).toBe(1);
  });

  test('SDK middleware agrees with proxy', () => {
    expect(result.sdkCountMismatches).toEqual([]);
  });

  test('one execution per key', () => {
    expect(result.executionsPerKey.idempotent).toBe(1);
    expect(result.concurrency.idempotent.roundsWithDuplicates).toBe(0);
    expect(result.executionsPerKey.powertools).toBeGreaterThanOrEqual(1);
  });

  test('every concurrent request ends', () => {
    for (const name of ['idempotent', 'powertools'] as const) {
      const ended = Object.values(result.concurrency[name].outcomes).reduce((sum, count) => sum + count, 0);
      expect(ended).toBe(result.settings.concurrency * result.settings.concurrencyRounds);
    }
  });

  test('timings have every sample', () => {
    for (const scenario of ['first', 'replay'] as const) {
      for (const name of ['bare', 'idempotent', 'powertools'] as const) {
        expect(result.timing[scenario].wallMs[name].samples).toBe(result.settings.iterations);
        expect(result.timing[scenario].cpuMs[name].samples).toBe(result.settings.iterations);
        expect(result.timing[scenario].wallMs[name].median).toBeGreaterThan(0);
      }
    }
  });

  test('bundles measured', () => {
    for (const bundle of Object.values(result.bundles)) {
      expect(bundle.bytes).toBeGreaterThan(0);
      expect(bundle.gzipBytes).toBeGreaterThan(0);
    }
    expect(result.middlewareBytes.idempotent).toBeGreaterThan(0);
    expect(result.middlewareBytes.powertools).toBeGreaterThan(0);
  });

  test('cold starts measured', () => {
    const kinds = [result.coldStart.withSdk, result.coldStart.withoutSdk];
    for (const kind of kinds) {
      for (const measured of Object.values(kind)) {
        expect(measured?.totalMs.samples).toBe(result.settings.coldStartRuns);
        expect(measured?.totalMs.median).toBeGreaterThan(0);
      }
    }
    expect(['with-sdk-idempotent-client', 'with-sdk-idempotent-lean']).toContain(result.withSdkChoice);
  });

  test('ratios are numbers', () => {
    const { ratios } = result;
    for (const name of ['overhead', 'overheadWall', 'overheadReplay', 'bundle', 'coldStartWithSdk', 'coldStartWithoutSdk'] as const) {
      expect(ratios[name]).toBeGreaterThan(0);
    }
    // Differences of two cold-start medians: with two runs they may come out negative.
    expect(Number.isFinite(ratios.coldStartWithSdkAdded)).toBe(true);
    expect(Number.isFinite(ratios.coldStartWithoutSdkAdded)).toBe(true);
  });

  test('every scenario in the JSON', () => {
    for (const name of ['idempotent', 'powertools'] as const) {
      expect(Object.keys(result.dynamodbCalls[name]).sort()).toEqual([...SCENARIOS].sort());
    }
    expect(result.targets.length).toBeGreaterThan(0);
  });
});
