/** Median and 99th percentile of a sample, in the sample's unit. */
export interface Summary {
  median: number;
  p99: number;
  samples: number;
}

/** Summarizes a sample with nearest-rank percentiles. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('Cannot summarize an empty sample.');
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p99: percentile(sorted, 99), samples: sorted.length };
}

function percentile(sorted: readonly number[], rank: number): number {
  if (rank === 50 && sorted.length % 2 === 0) {
    return ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;
  }
  const index = Math.min(sorted.length - 1, Math.ceil((rank / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

/** Rounds to `digits` decimals, for tables and JSON. */
export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Returns the order to run the variants in for one round, rotated so each leads equally often. */
export function rotation<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
