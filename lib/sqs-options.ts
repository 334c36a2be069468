import type { SQSRecord } from 'aws-lambda';
import { consoleJsonLogger, type Logger } from './logger.js';
import { checkOptions, createDefaultStore, DEFAULT_TTL_SECONDS, VALIDATORS, type OptionValidator } from './options.js';
import type { RecordStore } from './store/record-store.js';

/** Options of `idempotentRecords()`. Every option is optional; an unknown or invalid one raises at build time. */
export interface IdempotentRecordsOptions {
  /** Record store. Default: `new DynamoDBStore()`, on the table named by `IDEMPOTENCY_TABLE_NAME`. */
  store?: RecordStore;
  /**
   * Seconds a completed record keeps a message from running again, written as the epoch-seconds TTL
   * attribute. Keep it longer than the time in which the same message can arrive again. Default 86400 (24 h).
   */
  ttlSeconds?: number;
  /**
   * Returns a record's idempotency key, for example an order id from its body. When it returns undefined
   * the key comes from the `keyAttributeName` message attribute, else the record's `messageId`.
   * Default: none.
   */
  getKey?: (record: SQSRecord) => string | undefined;
  /**
   * String message attribute that carries the key, for producers that may send the same message twice
   * under different message ids. Matched exactly, as SQS attribute names are case-sensitive.
   * Default `Idempotency-Key`.
   */
  keyAttributeName?: string;
  /** Returns the namespace of a record's key, so two queues never share a record. Default: the queue ARN. */
  scope?: (record: SQSRecord) => string;
  /**
   * Records of a standard queue, or message groups of a FIFO queue, processed at the same time. `1`
   * processes a batch one record after another. Default 10, the default batch size of an SQS event source.
   */
  concurrency?: number;
  /** Receives one line per record and every caught error. Default: JSON lines on the console. */
  logger?: Logger;
  /** Returns the current time in epoch milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/** Options after defaults are applied, computed once per `idempotentRecords()` call. */
export interface ResolvedRecordsOptions {
  store: RecordStore;
  ttlSeconds: number;
  getKey: ((record: SQSRecord) => string | undefined) | undefined;
  keyAttributeName: string;
  scope: (record: SQSRecord) => string;
  concurrency: number;
  logger: Logger;
  clock: () => number;
}

export const DEFAULT_KEY_ATTRIBUTE_NAME = 'Idempotency-Key';
export const DEFAULT_CONCURRENCY = 10;

/** SQS message attribute names: 1 to 256 characters of letters, digits, `_`, `-` and `.`. */
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;

const isFunction: OptionValidator = (value) => (typeof value === 'function' ? undefined : 'a function');

const RECORDS_VALIDATORS: { [Name in keyof Required<IdempotentRecordsOptions>]: OptionValidator } = {
  store: VALIDATORS.store,
  ttlSeconds: VALIDATORS.ttlSeconds,
  getKey: isFunction,
  keyAttributeName: (value) =>
    typeof value === 'string' && ATTRIBUTE_NAME.test(value) ? undefined : 'an SQS message attribute name (letters, digits, _, - and .)',
  scope: isFunction,
  concurrency: (value) => (Number.isInteger(value) && (value as number) > 0 ? undefined : 'a positive integer'),
  logger: VALIDATORS.logger,
  clock: VALIDATORS.clock,
};

/** Validates the options of `idempotentRecords()` and applies the defaults. */
export function resolveRecordsOptions(options: IdempotentRecordsOptions = {}): ResolvedRecordsOptions {
  checkOptions('idempotentRecords()', options, RECORDS_VALIDATORS);

  return {
    store: options.store ?? createDefaultStore('idempotentRecords()'),
    ttlSeconds: options.ttlSeconds ?? DEFAULT_TTL_SECONDS,
    getKey: options.getKey,
    keyAttributeName: options.keyAttributeName ?? DEFAULT_KEY_ATTRIBUTE_NAME,
    scope: options.scope ?? queueScope,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    logger: options.logger ?? consoleJsonLogger,
    clock: options.clock ?? Date.now,
  };
}

/** Returns the ARN of the queue the record came from, the default scope. */
function queueScope(record: SQSRecord): string {
  return record.eventSourceARN;
}
