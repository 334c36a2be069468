import { describeResult, freshKey, invoke, postEvent } from './invoke.js';
import { MIDDLEWARE_NAMES, type MiddlewareName, type Variant } from './variants.js';

export interface ConcurrencyResult {
  /** Maximum handler executions for one key. */
  maxExecutionsPerKey: number;
  /** Rounds in which the handler ran more than once for the round's key. */
  roundsWithDuplicates: number;
  /** Request results by status code or error name, for example `{ "201": 1, "409": 63 }`. */
  outcomes: Record<string, number>;
}

/**
 * Sends `concurrency` identical requests at once, `rounds` times with a new key each round, and
 * counts how often the handler ran per key. Every request starts before any has finished, because
 * each awaits the first DynamoDB call before the event loop moves on.
 */
export async function runConcurrency(
  variants: Record<MiddlewareName, Variant>,
  options: { concurrency: number; rounds: number },
): Promise<Record<MiddlewareName, ConcurrencyResult>> {
  const results = {} as Record<MiddlewareName, ConcurrencyResult>;
  for (const name of MIDDLEWARE_NAMES) {
    const variant = variants[name];
    const result: ConcurrencyResult = { maxExecutionsPerKey: 0, roundsWithDuplicates: 0, outcomes: {} };

    for (let round = 0; round < options.rounds; round++) {
      const key = freshKey(`concurrent-${name}`);
      const requests = Array.from({ length: options.concurrency }, () => invoke(variant, postEvent(key)));
      for (const outcome of await Promise.all(requests)) {
        const label = describeResult(outcome);
        result.outcomes[label] = (result.outcomes[label] ?? 0) + 1;
      }

      const executions = variant.executions.get(key) ?? 0;
      result.maxExecutionsPerKey = Math.max(result.maxExecutionsPerKey, executions);
      if (executions > 1) result.roundsWithDuplicates++;
    }
    results[name] = result;
  }
  return results;
}
