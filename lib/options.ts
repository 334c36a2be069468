import { IdempotencyOptionError } from './errors.js';
import type { HttpRequest } from './http-request.js';
import { isHttpResponse } from './http-response.js';
import { consoleJsonLogger, type Logger } from './logger.js';
import { DEFAULT_REPLAY_HEADERS } from './saved-result.js';
import { defaultScope } from './scope.js';
import { DynamoDBStore } from './store/dynamodb-store.js';
import type { RecordStore } from './store/record-store.js';

/** Options of `idempotent()`. Every option is optional; an unknown or invalid one raises at build time. */
export interface IdempotentOptions {
  /**
   * Record store. Default: `new DynamoDBStore()`, on the table named by `IDEMPOTENCY_TABLE_NAME`.
   * @example idempotent({ store: new DynamoDBStore({ tableName: 'idempotency', client: new DynamoDBClient() }) })
   */
  store?: RecordStore;
  /** Seconds a completed response is replayed, written as the epoch-seconds TTL attribute. Default 86400 (24 h). */
  ttlSeconds?: number;
  /** Request header that carries the idempotency key, matched case-insensitively. Default `Idempotency-Key`. */
  headerName?: string;
  /** Without a key: run the handler and store nothing (`false`, the default), or reject with 400 (`true`). */
  required?: boolean;
  /**
   * Returns the tenant a key belongs to, so two callers never share a record. Default: the API Gateway
   * API key id, else the API key (hashed), else the authorizer's principal, else `anonymous`.
   */
  scope?: (event: any) => string; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Chooses which results are saved and replayed; the rest release the key. Default: HTTP status below 500, and every non-HTTP result. */
  shouldSave?: (response: unknown) => boolean;
  /** Milliseconds a duplicate waits for the first request to finish before it gets 409. Default 0. */
  inProgressWaitMs?: number;
  /** Receives one line per request and every caught error. Default: JSON lines on the console. */
  logger?: Logger;
  /** Returns the current time in epoch milliseconds. Default `Date.now`. */
  clock?: () => number;
  /**
   * Keeps completed records in memory, so a replay within the same execution environment makes no
   * DynamoDB call. `true` means 1000 entries. Default `false`.
   */
  localCache?: boolean | { maxEntries: number };
  /** Extra response header names to save and replay, beyond Content-Type, Location, ETag and the like. */
  replayHeaders?: string[];
  /**
   * Reads the key from the request instead of `headerName`, for example a webhook's delivery id in its
   * JSON body. Returns undefined when the request has no key.
   */
  getKey?: (request: HttpRequest, event: any) => string | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Options after defaults are applied, computed once per middleware. */
export interface ResolvedOptions {
  store: RecordStore;
  ttlSeconds: number;
  headerName: string;
  required: boolean;
  scope: (event: unknown) => string;
  shouldSave: (response: unknown) => boolean;
  inProgressWaitMs: number;
  logger: Logger;
  clock: () => number;
  localCacheEntries: number;
  replayHeaders: ReadonlySet<string>;
  getKey: ((request: HttpRequest, event: unknown) => string | undefined) | undefined;
}

export const DEFAULT_TTL_SECONDS = 86_400;
export const DEFAULT_HEADER_NAME = 'Idempotency-Key';
const DEFAULT_LOCAL_CACHE_ENTRIES = 1000;

/** Saves every result except HTTP responses with a 5xx status. */
export function defaultShouldSave(response: unknown): boolean {
  return !isHttpResponse(response) || response.statusCode < 500;
}

/** Checks one option value: returns what was expected when the value is invalid, else undefined. */
export type OptionValidator = (value: unknown) => string | undefined;

type Validators = { [Name in keyof Required<IdempotentOptions>]: OptionValidator };

const isFunction = (value: unknown) => (typeof value === 'function' ? undefined : 'a function');
const isPositiveInteger = (value: unknown): boolean => Number.isInteger(value) && (value as number) > 0;
// An HTTP field name is an RFC 9110 token.
const isHeaderName = (value: unknown): boolean => typeof value === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value);

export const VALIDATORS: Validators = {
  store: (value) => {
    const store = value as Partial<RecordStore> | null;
    const complete = typeof store === 'object' && store !== null &&
      ['claim', 'get', 'complete', 'release'].every((verb) => typeof store[verb as keyof RecordStore] === 'function');
    return complete ? undefined : 'a record store with claim, get, complete and release methods, such as new DynamoDBStore()';
  },
  ttlSeconds: (value) => (isPositiveInteger(value) ? undefined : 'a positive integer number of seconds'),
  headerName: (value) => (isHeaderName(value) ? undefined : 'a valid HTTP header name'),
  required: (value) => (typeof value === 'boolean' ? undefined : 'true or false'),
  scope: isFunction,
  shouldSave: isFunction,
  inProgressWaitMs: (value) =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0 ? undefined : 'a number of milliseconds, 0 or more',
  logger: (value) => {
    const logger = value as Partial<Logger> | null;
    const complete = typeof logger === 'object' && logger !== null &&
      typeof logger.info === 'function' && typeof logger.warn === 'function' && typeof logger.error === 'function';
    return complete ? undefined : 'an object with info, warn and error methods';
  },
  clock: isFunction,
  localCache: (value) =>
    typeof value === 'boolean' || (typeof value === 'object' && value !== null && isPositiveInteger((value as { maxEntries?: unknown }).maxEntries))
      ? undefined
      : 'true, false or { maxEntries: <positive integer> }',
  replayHeaders: (value) =>
    Array.isArray(value) && value.every(isHeaderName) ? undefined : 'an array of valid HTTP header names',
  getKey: isFunction,
};

/** Validates the options and applies the defaults. */
export function resolveOptions(options: IdempotentOptions = {}): ResolvedOptions {
  checkOptions('idempotent()', options, VALIDATORS);

  return {
    store: options.store ?? createDefaultStore(),
    ttlSeconds: options.ttlSeconds ?? DEFAULT_TTL_SECONDS,
    headerName: options.headerName ?? DEFAULT_HEADER_NAME,
    required: options.required ?? false,
    scope: options.scope ?? defaultScope,
    shouldSave: options.shouldSave ?? defaultShouldSave,
    inProgressWaitMs: options.inProgressWaitMs ?? 0,
    logger: options.logger ?? consoleJsonLogger,
    clock: options.clock ?? Date.now,
    localCacheEntries: localCacheEntries(options.localCache),
    replayHeaders: new Set([...DEFAULT_REPLAY_HEADERS, ...(options.replayHeaders ?? []).map((name) => name.toLowerCase())]),
    getKey: options.getKey,
  };
}

/**
 * Rejects an options object that is not an object, names an unknown option, or has an invalid value.
 * `functionName` (for example `idempotent()`) starts each message, so the caller sees which call failed.
 */
export function checkOptions(functionName: string, options: unknown, validators: Readonly<Record<string, OptionValidator>>): void {
  if (typeof options !== 'object' || options === null) {
    throw new IdempotencyOptionError(`${functionName} takes an options object, received ${String(options)}.`);
  }
  for (const [name, value] of Object.entries(options)) {
    // Own properties only: an option named like an Object.prototype member ("constructor") is unknown.
    const validate = Object.hasOwn(validators, name) ? validators[name] : undefined;
    if (!validate) {
      throw new IdempotencyOptionError(
        `${functionName} has no option "${name}". Valid options are: ${Object.keys(validators).join(', ')}.`,
      );
    }
    if (value === undefined) continue;
    const expected = validate(value);
    if (expected) {
      throw new IdempotencyOptionError(`${functionName} option "${name}" must be ${expected}; received ${describe(value)}.`);
    }
  }
}

/** Builds the default store, on the table named by `IDEMPOTENCY_TABLE_NAME`, for the entry point `functionName`. */
export function createDefaultStore(functionName = 'idempotent()'): RecordStore {
  try {
    return new DynamoDBStore();
  } catch (error) {
    throw new IdempotencyOptionError(`${functionName} has no "store" option and cannot build the default one: ${(error as Error).message}`);
  }
}

function localCacheEntries(option: IdempotentOptions['localCache']): number {
  if (option === true) return DEFAULT_LOCAL_CACHE_ENTRIES;
  if (!option) return 0;
  return option.maxEntries;
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  // JSON.stringify writes NaN and Infinity as null.
  if (typeof value === 'number') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
