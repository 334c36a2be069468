import { BUNDLE_NAMES } from './bundles.js';
import { SCENARIOS } from './call-counts.js';
import { COLD_START_KINDS } from './cold-start.js';
import type { BenchResult, Target } from './results.js';
import { round } from './stats.js';
import { TIMED_SCENARIOS } from './timing.js';
import { MIDDLEWARE_NAMES, VARIANT_NAMES } from './variants.js';

/** Formats rows as a Markdown table, so the output can be pasted into docs/benchmarks.md. */
function table(header: string[], rows: Array<Array<string | number>>): string {
  const lines = [header, header.map(() => '---'), ...rows.map((row) => row.map(String))];
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function milliseconds(value: number): string {
  return round(value, 2).toFixed(2);
}

/** Renders a run as Markdown tables with a heading per measurement. */
export function formatReport(result: BenchResult): string {
  const { machine, timing } = result;
  const sections: string[] = [];

  sections.push(
    [
      `Mode: ${result.mode}, ${result.durationSeconds} s. Settings: ${Object.entries(result.settings).map(([name, value]) => `${name} ${value}`).join(', ')}.`,
      `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}.`,
      `Packages: ${Object.entries(machine.packages).map(([name, version]) => `${name} ${version}`).join(', ')}.`,
    ].join('\n'),
  );

  sections.push(
    '### DynamoDB requests per request\n\n' +
      table(
        ['scenario', 'idempotent (dynalite)', 'idempotent (ALL_OLD)', 'powertools (dynalite)', 'powertools (ALL_OLD)', 'idempotent operations (dynalite)', 'powertools operations (dynalite)'],
        SCENARIOS.map((scenario) => [
          scenario,
          result.dynamodbCalls.idempotent[scenario],
          result.dynamodbCallsWithAllOld.idempotent[scenario],
          result.dynamodbCalls.powertools[scenario],
          result.dynamodbCallsWithAllOld.powertools[scenario],
          describeOperations(result.dynamodbOperations.dynalite.idempotent[scenario].operations, result.dynamodbOperations.dynalite.idempotent[scenario].outcome),
          describeOperations(result.dynamodbOperations.dynalite.powertools[scenario].operations, result.dynamodbOperations.dynalite.powertools[scenario].outcome),
        ]),
      ) +
      (result.sdkCountMismatches.length > 0 ? `\n\nSDK middleware and proxy counts differ: ${result.sdkCountMismatches.join('; ')}` : ''),
  );

  const timingRows = TIMED_SCENARIOS.flatMap((scenario) =>
    VARIANT_NAMES.map((name) => [
      scenario,
      name,
      milliseconds(timing[scenario].wallMs[name].median),
      milliseconds(timing[scenario].wallMs[name].p99),
      milliseconds(timing[scenario].cpuMs[name].median),
      milliseconds(timing[scenario].cpuMs[name].p99),
      name === 'bare' ? '' : milliseconds(timing[scenario].overheadWallMs[name]),
      name === 'bare' ? '' : milliseconds(timing[scenario].overheadCpuMs[name]),
    ]),
  );
  sections.push(
    '### Time per warm invocation (ms)\n\n' +
      table(['scenario', 'variant', 'wall median', 'wall p99', 'CPU median', 'CPU p99', 'wall overhead', 'CPU overhead'], timingRows),
  );

  sections.push(
    '### Bundle sizes (bytes)\n\n' +
      table(
        ['bundle', 'minified', 'gzip'],
        BUNDLE_NAMES.map((name) => [name, result.bundles[name].bytes, result.bundles[name].gzipBytes]),
      ) +
      `\n\nAdded to the bare handler: idempotent ${result.middlewareBytes.idempotent}, powertools ${result.middlewareBytes.powertools} bytes minified.` +
      `\n\n${describeSources('without-sdk-idempotent', result.bundles['without-sdk-idempotent'].sources)}` +
      `\n\n${describeSources('without-sdk-powertools', result.bundles['without-sdk-powertools'].sources)}`,
  );

  const coldRows = (Object.keys(COLD_START_KINDS) as Array<keyof typeof COLD_START_KINDS>).flatMap((kind) =>
    COLD_START_KINDS[kind].map((name) => {
      const measured = result.coldStart[kind][name];
      if (!measured) return [name, '', '', '', '', '', ''];
      return [
        name,
        milliseconds(measured.totalMs.median),
        milliseconds(measured.totalMs.p99),
        milliseconds(measured.importMs.median),
        milliseconds(measured.firstRequestMs.median),
        milliseconds(measured.nodeStartMs.median),
        Math.round(measured.loadedBytes / 1024),
      ];
    }),
  );
  sections.push(
    '### Cold start (ms, fresh Node process per run)\n\n' +
      table(['bundle', 'load + first request, median', 'p99', 'load median', 'first request median', 'Node start median', 'JS loaded (KiB)'], coldRows) +
      `\n\nFaster store for a handler that already uses the SDK: ${result.withSdkChoice}.`,
  );

  sections.push(
    `### ${result.settings.concurrency} concurrent identical requests, ${result.settings.concurrencyRounds} rounds\n\n` +
      table(
        ['middleware', 'max executions per key', 'rounds with duplicates', 'outcomes'],
        MIDDLEWARE_NAMES.map((name) => [
          name,
          result.concurrency[name].maxExecutionsPerKey,
          result.concurrency[name].roundsWithDuplicates,
          Object.entries(result.concurrency[name].outcomes).map(([outcome, count]) => `${outcome}: ${count}`).join(', '),
        ]),
      ),
  );

  sections.push(
    '### Ratios (idempotent divided by Powertools)\n\n' +
      table(['ratio', 'value'], Object.entries(result.ratios).map(([name, value]) => [name, value])),
  );

  sections.push(
    '### Targets\n\n' +
      table(
        ['target', 'expected', 'measured', 'met'],
        result.targets.map((target) => [target.name, target.expected, target.measured, verdict(target, result.mode)]),
      ),
  );

  return sections.join('\n\n');
}

/** Lists the sources that left the most bytes in a bundle. */
function describeSources(name: string, sources: Record<string, number>): string {
  const largest = Object.entries(sources).slice(0, 12).map(([source, bytes]) => `${source} ${bytes}`);
  return `Largest sources of ${name} (minified bytes): ${largest.join(', ')}.`;
}

function describeOperations(operations: Record<string, number>, outcome: string): string {
  const names = Object.entries(operations).map(([name, count]) => (count > 1 ? `${name} x${count}` : name));
  return `${names.length > 0 ? names.join(' + ') : 'none'} → ${outcome}`;
}

/** Judges a target, except a timed one in quick mode, whose few runs are too noisy to judge. */
function verdict(target: Target, mode: BenchResult['mode']): string {
  if (target.timed && mode === 'quick') return 'not judged (quick mode)';
  return target.met ? 'yes' : 'NO';
}
