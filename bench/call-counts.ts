import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describeResult, freshKey, invoke, postEvent } from './invoke.js';
import { totalCalls, type CountingProxy, type OperationCounts } from './dynamodb-proxy.js';
import { buildVariants, MIDDLEWARE_NAMES, type MiddlewareName, type VariantSetup } from './variants.js';

export const SCENARIOS = ['first', 'replay', 'warmReplay', 'conflict'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Cost of one request of a scenario: DynamoDB requests by operation, and the response or error. */
export interface ScenarioCount {
  calls: number;
  operations: OperationCounts;
  outcome: string;
}

export type CallCounts = Record<MiddlewareName, Record<Scenario, ScenarioCount>>;

export interface CallCountReport {
  /** Requests dynalite received. */
  dynalite: CallCounts;
  /** Requests with the proxy returning the old item on a failed PutItem, as DynamoDB does. */
  allOld: CallCounts;
  /** Scenarios where the SDK middleware on Powertools' client counted other than the proxy. */
  sdkCountMismatches: string[];
}

/**
 * Counts the SDK client's requests in the deserialize step, which runs once per HTTP attempt, so a
 * retried command counts once per request the server receives.
 */
export function countSdkRequests(client: DynamoDBClient): { take(): number } {
  let count = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      count++;
      return next(args);
    },
    { step: 'deserialize', name: 'benchRequestCounter' },
  );
  return {
    take() {
      const taken = count;
      count = 0;
      return taken;
    },
  };
}

/**
 * Sends one request per scenario through the counting proxy for each middleware, first with dynalite's
 * own responses and then with the proxy emulating DynamoDB's `ALL_OLD` return on a failed PutItem.
 */
export async function countCalls(
  proxy: CountingProxy,
  proxyClient: DynamoDBClient,
  tables: Pick<VariantSetup, 'idempotentTable' | 'powertoolsTable'>,
): Promise<CallCountReport> {
  const sdkCounter = countSdkRequests(proxyClient);
  const setup = {
    endpoint: proxy.endpoint,
    client: proxyClient,
    idempotentTable: tables.idempotentTable,
    powertoolsTable: tables.powertoolsTable,
  };
  const uncached = buildVariants({ ...setup, localCache: false });
  const cached = buildVariants({ ...setup, localCache: true });
  const sdkCountMismatches: string[] = [];

  const measure = async (
    mode: string,
    middleware: MiddlewareName,
    scenario: Scenario,
    send: () => Promise<string>,
  ): Promise<ScenarioCount> => {
    proxy.takeCounts();
    sdkCounter.take();
    const outcome = await send();
    const operations = proxy.takeCounts();
    const sdkCount = sdkCounter.take();
    if (middleware === 'powertools' && sdkCount !== totalCalls(operations)) {
      sdkCountMismatches.push(`${mode}/${scenario}: SDK middleware ${sdkCount}, proxy ${totalCalls(operations)}`);
    }
    return { calls: totalCalls(operations), operations, outcome };
  };

  const countAll = async (mode: string): Promise<CallCounts> => {
    const counts = {} as CallCounts;
    for (const middleware of MIDDLEWARE_NAMES) {
      const variant = uncached[middleware];
      const key = freshKey(`count-${mode}-${middleware}`);
      const send = (text: string, target = variant) => async () => describeResult(await invoke(target, postEvent(key, text)));
      const first = await measure(mode, middleware, 'first', send('hello'));
      const replay = await measure(mode, middleware, 'replay', send('hello'));
      const conflict = await measure(mode, middleware, 'conflict', send('a different body'));

      const warmKey = freshKey(`count-${mode}-${middleware}-warm`);
      await invoke(cached[middleware], postEvent(warmKey));
      const warmReplay = await measure(mode, middleware, 'warmReplay', async () =>
        describeResult(await invoke(cached[middleware], postEvent(warmKey))),
      );
      counts[middleware] = { first, replay, warmReplay, conflict };
    }
    return counts;
  };

  proxy.emulateAllOld = false;
  const dynalite = await countAll('dynalite');
  proxy.emulateAllOld = true;
  const allOld = await countAll('allOld');
  proxy.emulateAllOld = false;
  return { dynalite, allOld, sdkCountMismatches };
}
