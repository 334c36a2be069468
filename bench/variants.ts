import { randomUUID } from 'node:crypto';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../infra/local/tables.js';
import { idempotent } from '../lib/index.js';
import type { Logger } from '../lib/logger.js';
import { DynamoDBStore } from '../lib/store/dynamodb-store.js';

/** The header both middlewares read the key from. */
export const KEY_HEADER = 'Idempotency-Key';

export const VARIANT_NAMES = ['bare', 'idempotent', 'powertools'] as const;
export type VariantName = (typeof VARIANT_NAMES)[number];

/** The two middlewares compared; `bare` is the baseline. */
export const MIDDLEWARE_NAMES = ['idempotent', 'powertools'] as const;
export type MiddlewareName = (typeof MIDDLEWARE_NAMES)[number];

export type BenchHandler = (event: Record<string, unknown>, context: Context) => Promise<unknown>;

export interface Variant {
  name: VariantName;
  handler: BenchHandler;
  /** Handler executions by idempotency key. */
  executions: Map<string, number>;
}

export interface VariantSetup {
  /** DynamoDB endpoint both middlewares call. */
  endpoint: string;
  /** SDK client on the same endpoint, used by Powertools' persistence layer. */
  client: DynamoDBClient;
  idempotentTable: string;
  powertoolsTable: string;
  /** Turns on each middleware's in-memory cache of completed records. */
  localCache: boolean;
}

/**
 * Stands in for the console logger of `idempotent()` in timed runs: it builds the same JSON line per
 * request and drops it, so the line's cost is measured but the terminal stays readable.
 */
export const discardingLogger: Logger = {
  info: (message, fields) => void JSON.stringify({ level: 'INFO', message, ...fields, timestamp: new Date().toISOString() }),
  warn: (message, fields) => void JSON.stringify({ level: 'WARN', message, ...fields, timestamp: new Date().toISOString() }),
  error: (message, fields) => void JSON.stringify({ level: 'ERROR', message, ...fields, timestamp: new Date().toISOString() }),
};

/**
 * Builds the benchmark's HTTP handler: it reads a JSON post from the body and returns 201 with its text
 * and a new id, counting each execution under the request's idempotency key.
 */
function publishHandler(executions: Map<string, number>): (event: { headers?: Record<string, string>; body?: string }) => Promise<unknown> {
  return async (event) => {
    const key = event.headers?.[KEY_HEADER] ?? '';
    executions.set(key, (executions.get(key) ?? 0) + 1);

    const post = JSON.parse(event.body ?? '{}') as { text?: string };
    return {
      statusCode: 201,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: randomUUID(), text: post.text }),
    };
  };
}

/**
 * Wraps the same handler three ways. All three run under Middy, so the differences are the
 * idempotency middlewares alone. Both middlewares take the key from the `Idempotency-Key` header and
 * reject a retry whose body differs from the first request's.
 */
export function buildVariants(setup: VariantSetup): Record<VariantName, Variant> {
  const bareExecutions = new Map<string, number>();
  const bare = middy(publishHandler(bareExecutions));

  const idempotentExecutions = new Map<string, number>();
  const store = new DynamoDBStore({
    tableName: setup.idempotentTable,
    transport: { endpoint: setup.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS },
  });
  const withIdempotent = middy(publishHandler(idempotentExecutions)).use(
    idempotent({ store, localCache: setup.localCache, logger: discardingLogger }),
  );

  const powertoolsExecutions = new Map<string, number>();
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: setup.powertoolsTable, awsSdkV3Client: setup.client });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: `headers."${KEY_HEADER}"`,
    payloadValidationJmesPath: 'body',
    useLocalCache: setup.localCache,
  });
  const withPowertools = middy(publishHandler(powertoolsExecutions)).use(makeHandlerIdempotent({ persistenceStore, config }));

  return {
    bare: { name: 'bare', handler: bare as BenchHandler, executions: bareExecutions },
    idempotent: { name: 'idempotent', handler: withIdempotent as BenchHandler, executions: idempotentExecutions },
    powertools: { name: 'powertools', handler: withPowertools as BenchHandler, executions: powertoolsExecutions },
  };
}
