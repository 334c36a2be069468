import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { claimFailureOutcome, claimRecord, expirySeconds } from './claim.js';
import { IdempotencyConflictError, IdempotencyError, IdempotencyKeyMissingError } from './errors.js';
import { fingerprint, recordId } from './hashing.js';
import { headerValues, readHttpRequest, type HttpRequest } from './http-request.js';
import { parseIdempotencyKey, validateKey } from './idempotency-key.js';
import { LocalCache } from './local-cache.js';
import { describeError } from './logger.js';
import { resolveOptions, type IdempotentOptions, type ResolvedOptions } from './options.js';
import { problemResponse } from './problem.js';
import { shapeForEvent, toReplay, toSavedResult, type SavedResult } from './saved-result.js';
import { LeaseLostError } from './store/record-store.js';

/** Lease length when the context has no `getRemainingTimeInMillis`, as outside Lambda. */
export const DEFAULT_LEASE_MS = 60_000;

/** Time kept back from the in-progress wait to send the 409 before the invocation times out, in ms. */
const RESPONSE_MARGIN_MS = 1_000;

/** Outcome of a request, as logged. */
export type Outcome =
  | 'claimed'
  | 'replayed'
  | 'conflict'
  | 'in_progress'
  | 'released'
  | 'lease_lost'
  | 'unavailable'
  | 'key_invalid'
  | 'key_missing'
  | 'no_key';

/** Everything derived from the request, computed once in `before` and shown in `request.internal`. */
export interface IdempotencyState {
  recordId: string;
  fingerprint: string;
  multiValueResponse: boolean;
  startedAt: number;
  /**
   * Set only when this invocation claimed the record, and removed once it is saved or released. Nothing is
   * written or deleted without it.
   */
  leaseToken?: string;
}

/** The middleware's part of `request.internal`. */
export interface IdempotencyInternal extends Record<string, unknown> {
  idempotency?: IdempotencyState;
}

type IdempotentRequest = Request<unknown, unknown, Error, Context, IdempotencyInternal>;

/**
 * Makes an HTTP handler idempotent: the first request with a key runs the handler and saves its
 * response, and retries with the same key and body get that response back without running it again.
 *
 * @example export const handler = middy(publishPost).use(idempotent())
 */
export function idempotent(options?: IdempotentOptions): MiddlewareObj<unknown, any, Error, Context, IdempotencyInternal> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const resolved = resolveOptions(options);
  const cache = resolved.localCacheEntries > 0 ? new LocalCache(resolved.localCacheEntries) : undefined;
  // Middy creates a new request object per invocation, but built with its `internal` option it hands every
  // invocation the same `internal` object, so concurrent invocations would overwrite each other's state
  // there. The hooks therefore read the state from this map; `request.internal` only shows it.
  const states = new WeakMap<IdempotentRequest, IdempotencyState>();

  const idempotentBefore = async (request: IdempotentRequest): Promise<unknown> => {
    const startedAt = performance.now();
    delete request.internal.idempotency;
    const httpRequest = readHttpRequest(request.event);

    let key: string | undefined;
    try {
      key = readKey(resolved, httpRequest, request.event);
    } catch (error) {
      if (!(error instanceof IdempotencyError)) throw error;
      log(resolved, error.code === 'idempotency_key_missing' ? 'key_missing' : 'key_invalid', startedAt);
      return respondEarly(request, shapeForEvent(problemResponse(error), httpRequest.multiValueResponse));
    }

    if (key === undefined) {
      if (!resolved.required) {
        log(resolved, 'no_key', startedAt);
        return undefined;
      }
      log(resolved, 'key_missing', startedAt);
      const missing = new IdempotencyKeyMissingError(resolved.getKey ? undefined : resolved.headerName);
      return respondEarly(request, shapeForEvent(problemResponse(missing), httpRequest.multiValueResponse));
    }

    const state: IdempotencyState = {
      recordId: recordId(readScope(resolved, request.event), httpRequest.method, httpRequest.path, key),
      fingerprint: fingerprint(httpRequest.fingerprintBytes),
      multiValueResponse: httpRequest.multiValueResponse,
      startedAt,
    };
    states.set(request, state);
    request.internal.idempotency = state;
    return claimOrReplay(request, state);
  };

  const claimOrReplay = async (request: IdempotentRequest, state: IdempotencyState): Promise<unknown> => {
    const cached = cache?.get(state.recordId, Math.floor(resolved.clock() / 1000));
    try {
      if (cached && cached.fingerprint !== state.fingerprint) throw new IdempotencyConflictError();
      if (cached) return replay(request, state, cached.result);

      const leaseMs = request.context?.getRemainingTimeInMillis?.() ?? DEFAULT_LEASE_MS;
      const decision = await claimRecord({
        store: resolved.store,
        id: state.recordId,
        fingerprint: state.fingerprint,
        clock: resolved.clock,
        ttlSeconds: resolved.ttlSeconds,
        leaseMs,
        // A wait longer than the invocation has left would end in a Lambda timeout instead of a 409.
        inProgressWaitMs: Math.min(resolved.inProgressWaitMs, Math.max(0, leaseMs - RESPONSE_MARGIN_MS)),
        logger: resolved.logger,
      });
      if (decision.outcome === 'claimed') {
        state.leaseToken = decision.leaseToken;
        return undefined;
      }
      cache?.set(state.recordId, decision.record);
      return replay(request, state, decision.record.result);
    } catch (error) {
      if (!(error instanceof IdempotencyError)) throw error;
      const outcome = claimFailureOutcome(error);
      log(resolved, outcome, state.startedAt, state.recordId, outcome === 'unavailable' ? error.cause : undefined);
      return respondEarly(request, shapeForEvent(problemResponse(error), state.multiValueResponse));
    }
  };

  const replay = (request: IdempotentRequest, state: IdempotencyState, result: SavedResult): unknown => {
    log(resolved, 'replayed', state.startedAt, state.recordId);
    return respondEarly(request, toReplay(result, state.multiValueResponse));
  };

  const idempotentAfter = async (request: IdempotentRequest): Promise<void> => {
    const state = states.get(request);
    const leaseToken = takeLeaseToken(state);
    if (!state || !leaseToken) return;

    if (!resolved.shouldSave(request.response)) {
      await release(state, leaseToken);
      return;
    }

    const result = toSavedResult(request.response, resolved.replayHeaders);
    const expiresAt = expirySeconds(resolved.clock(), resolved.ttlSeconds);
    try {
      const { omitted } = await resolved.store.complete({ id: state.recordId, leaseToken, result, expiresAt });
      // An omitted body is not in the store, so the cache must not replay it either.
      if (!omitted) cache?.set(state.recordId, { fingerprint: state.fingerprint, expiresAt, result });

      if (omitted) {
        resolved.logger.warn('idempotency result too large to save in full, so replays omit the body', {
          recordId: state.recordId,
          outcome: 'claimed',
          durationMs: elapsed(state.startedAt),
          bodyOmitted: true,
        });
      } else {
        log(resolved, 'claimed', state.startedAt, state.recordId);
      }
    } catch (error) {
      logWriteFailure(error, state, 'save');
    }
  };

  const idempotentOnError = async (request: IdempotentRequest): Promise<void> => {
    const state = states.get(request);
    const leaseToken = takeLeaseToken(state);
    if (!state || !leaseToken) return;
    // The original error is rethrown by Middy once the onError hooks have run.
    await release(state, leaseToken);
  };

  const release = async (state: IdempotencyState, leaseToken: string): Promise<void> => {
    try {
      await resolved.store.release({ id: state.recordId, leaseToken });
      log(resolved, 'released', state.startedAt, state.recordId);
    } catch (error) {
      logWriteFailure(error, state, 'release');
    }
  };

  const logWriteFailure = (error: unknown, state: IdempotencyState, action: 'save' | 'release'): void => {
    if (error instanceof LeaseLostError) {
      resolved.logger.error(`idempotency ${action} skipped: lease taken over by another invocation`, {
        recordId: state.recordId,
        outcome: 'lease_lost',
        durationMs: elapsed(state.startedAt),
      });
      return;
    }
    // The record stays in progress until its lease ends; then a retry with the same key runs again.
    resolved.logger.error(`idempotency ${action} failed; the record stays in progress until its lease ends`, {
      recordId: state.recordId,
      outcome: action === 'save' ? 'claimed' : 'released',
      durationMs: elapsed(state.startedAt),
      error: describeError(error),
    });
  };

  return { name: 'idempotent', before: idempotentBefore, after: idempotentAfter, onError: idempotentOnError };
}

/**
 * Returns the lease token and removes it from the state, so the record is saved or released at most once.
 * Without this, an error in a later middleware's after hook would make onError release a record that was
 * just completed, and the next retry would run the handler again.
 */
function takeLeaseToken(state: IdempotencyState | undefined): string | undefined {
  const leaseToken = state?.leaseToken;
  if (state) delete state.leaseToken;
  return leaseToken;
}

function readKey(options: ResolvedOptions, httpRequest: HttpRequest, event: unknown): string | undefined {
  if (!options.getKey) return parseIdempotencyKey(headerValues(httpRequest, options.headerName), options.headerName);

  const key: unknown = options.getKey(httpRequest, event);
  if (key === undefined) return undefined;
  if (typeof key !== 'string') {
    throw new TypeError(`The idempotent() getKey function returned ${key === null ? 'null' : typeof key}; return a string, or undefined when the request has no key.`);
  }
  validateKey(key, 'idempotency key');
  return key;
}

function readScope(options: ResolvedOptions, event: unknown): string {
  const scope = options.scope(event);
  if (typeof scope !== 'string' || scope === '') {
    throw new TypeError(`The idempotent() scope function returned ${JSON.stringify(scope)}; it must return a non-empty string.`);
  }
  return scope;
}

/**
 * Ends the request with a response, skipping the handler. Middy 6 and later read `earlyResponse`, which
 * also lets a saved `undefined` result be replayed.
 */
function respondEarly(request: IdempotentRequest, response: unknown): unknown {
  request.earlyResponse = response;
  return response;
}

function log(options: ResolvedOptions, outcome: Outcome, startedAt: number, recordId?: string, cause?: unknown): void {
  const fields: Record<string, unknown> = { outcome, durationMs: elapsed(startedAt) };
  if (recordId) fields.recordId = recordId;
  if (cause === undefined) {
    options.logger.info('idempotency', fields);
  } else {
    options.logger.error('idempotency store unavailable', { ...fields, error: describeError(cause) });
  }
}

function elapsed(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 100) / 100;
}
