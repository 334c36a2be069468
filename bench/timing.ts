import { freshKey, invoke, postEvent } from './invoke.js';
import { rotation, round, summarize, type Summary } from './stats.js';
import { VARIANT_NAMES, type MiddlewareName, type Variant, type VariantName } from './variants.js';

/** The timed cases: a new key on every request, and a retry of a completed request. */
export const TIMED_SCENARIOS = ['first', 'replay'] as const;
export type TimedScenario = (typeof TIMED_SCENARIOS)[number];

export interface ScenarioTiming {
  /** Wall-clock milliseconds per invocation, DynamoDB round trips included. */
  wallMs: Record<VariantName, Summary>;
  /** Milliseconds of this process's CPU time (user and system) per invocation. */
  cpuMs: Record<VariantName, Summary>;
  /** Median milliseconds a middleware adds to the bare handler. */
  overheadWallMs: Record<MiddlewareName, number>;
  overheadCpuMs: Record<MiddlewareName, number>;
}

export type TimingReport = Record<TimedScenario, ScenarioTiming>;

/**
 * Times invocations of each variant, in wall-clock time and in CPU time of this process. Each round
 * invokes every variant once, in an order rotated per round, so drift of the machine (other processes,
 * garbage collection, dynalite's growing tables) falls on all variants alike. The first `warmup`
 * rounds are not recorded.
 */
export async function timeInvocations(
  variants: Record<VariantName, Variant>,
  options: { iterations: number; warmup: number },
): Promise<TimingReport> {
  const report = {} as TimingReport;
  for (const scenario of TIMED_SCENARIOS) {
    const wall: Record<VariantName, number[]> = { bare: [], idempotent: [], powertools: [] };
    const cpu: Record<VariantName, number[]> = { bare: [], idempotent: [], powertools: [] };

    // A replay repeats the request of one key that each variant completed beforehand.
    const replayKeys = {} as Record<VariantName, string>;
    for (const name of VARIANT_NAMES) {
      replayKeys[name] = freshKey(`timing-replay-${name}`);
      await invoke(variants[name], postEvent(replayKeys[name]));
    }

    for (let index = 0; index < options.warmup + options.iterations; index++) {
      for (const name of rotation(VARIANT_NAMES, index)) {
        const event = postEvent(scenario === 'first' ? freshKey(`timing-${name}`) : replayKeys[name]);

        const cpuStart = process.cpuUsage();
        const started = performance.now();
        const result = await invoke(variants[name], event);
        const elapsed = performance.now() - started;
        const cpuUsed = process.cpuUsage(cpuStart);

        if (result.error || (result.statusCode ?? 0) >= 400) {
          throw new Error(`Timed ${scenario} invocation of ${name} failed: ${result.error ?? result.statusCode}.`);
        }
        if (index < options.warmup) continue;
        wall[name].push(elapsed);
        // process.cpuUsage() reports microseconds.
        cpu[name].push((cpuUsed.user + cpuUsed.system) / 1000);
      }
    }

    report[scenario] = summarizeScenario(wall, cpu);
  }
  return report;
}

function summarizeScenario(wall: Record<VariantName, number[]>, cpu: Record<VariantName, number[]>): ScenarioTiming {
  const wallMs = { bare: summarize(wall.bare), idempotent: summarize(wall.idempotent), powertools: summarize(wall.powertools) };
  const cpuMs = { bare: summarize(cpu.bare), idempotent: summarize(cpu.idempotent), powertools: summarize(cpu.powertools) };
  return {
    wallMs,
    cpuMs,
    overheadWallMs: {
      idempotent: round(wallMs.idempotent.median - wallMs.bare.median),
      powertools: round(wallMs.powertools.median - wallMs.bare.median),
    },
    overheadCpuMs: {
      idempotent: round(cpuMs.idempotent.median - cpuMs.bare.median),
      powertools: round(cpuMs.powertools.median - cpuMs.bare.median),
    },
  };
}
