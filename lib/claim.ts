import { randomUUID } from 'node:crypto';
import { IdempotencyConflictError, IdempotencyError, IdempotencyInProgressError, IdempotencyUnavailableError } from './errors.js';
import type { IdempotencyRecord } from './record.js';
import type { SavedResult } from './saved-result.js';
import { describeError, type Logger } from './logger.js';
import { LeaseLostError, TableNotFoundError, type ClaimOutcome, type RecordStore } from './store/record-store.js';

/** How many times a claim is retried when the record it collided with vanishes or frees up. */
export const MAX_CLAIM_ATTEMPTS = 3;

/** `Retry-After` value, in seconds, sent while the first request is still in progress. */
export const IN_PROGRESS_RETRY_AFTER_SECONDS = 1;

const FIRST_POLL_DELAY_MS = 25;
const MAX_POLL_DELAY_MS = 500;

export interface ClaimRequest {
  store: RecordStore;
  id: string;
  fingerprint: string;
  /** Epoch milliseconds, from the injected clock. */
  clock: () => number;
  ttlSeconds: number;
  /** How long the lease lasts: the Lambda's remaining time. */
  leaseMs: number;
  inProgressWaitMs: number;
  /** Receives errors that are handled here and not raised. */
  logger?: Logger;
}

/** Either this invocation now has the record's lease, or the record's saved result is replayed. */
export type ClaimDecision =
  | { outcome: 'claimed'; leaseToken: string }
  | { outcome: 'replayed'; record: IdempotencyRecord & { result: SavedResult } };

/**
 * Claims the record for this invocation, or decides what a duplicate gets: the saved result, a
 * conflict (different body), or, after waiting up to `inProgressWaitMs`, an in-progress error.
 * Store failures become `IdempotencyUnavailableError`, so the handler never runs without a claim.
 */
export async function claimRecord(request: ClaimRequest): Promise<ClaimDecision> {
  const waitDeadline = performance.now() + request.inProgressWaitMs;

  for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
    const leaseToken = randomUUID();
    const now = request.clock();
    const leaseExpiresAt = now + request.leaseMs;
    let outcome: ClaimOutcome;
    try {
      outcome = await request.store.claim({
        id: request.id,
        fingerprint: request.fingerprint,
        leaseToken,
        leaseExpiresAt,
        // An in-progress record must outlive its lease: an expired record counts as free, so a record that
        // expired first would let a retry run the handler while this invocation still runs it.
        expiresAt: Math.max(expirySeconds(now, request.ttlSeconds), Math.ceil(leaseExpiresAt / 1000)),
        now,
      });
    } catch (error) {
      // Even a final 4xx may follow an earlier attempt that was applied but timed out, so always clean up.
      await releaseUnknownClaim(request, leaseToken);
      throw new IdempotencyUnavailableError(error);
    }
    if (outcome.claimed) return { outcome: 'claimed', leaseToken };

    // A transport that retried a claim whose first attempt succeeded finds its own lease.
    if (outcome.existing?.leaseToken === leaseToken) return { outcome: 'claimed', leaseToken };

    const settled = await settle(request, outcome.existing, waitDeadline);
    if (settled) return { outcome: 'replayed', record: settled };
  }

  // The record kept changing hands between reads: treat it as busy rather than run the handler.
  throw new IdempotencyInProgressError(IN_PROGRESS_RETRY_AFTER_SECONDS);
}

/**
 * Releases a claim that may have been written although its response was lost, as after a timeout, so
 * the key does not stay locked for a whole lease. The delete only matches this invocation's lease token
 * (or no record), so it can never remove another invocation's record.
 */
async function releaseUnknownClaim(request: ClaimRequest, leaseToken: string): Promise<void> {
  try {
    await request.store.release({ id: request.id, leaseToken });
  } catch (error) {
    // Another invocation's record is left alone, and a missing table was already reported by the claim.
    if (error instanceof LeaseLostError || error instanceof TableNotFoundError) return;
    // The record, if written, stays in progress until its lease ends.
    request.logger?.warn('idempotency claim cleanup failed', { recordId: request.id, error: describeError(error) });
  }
}

/**
 * Returns the epoch second at which a record written at `now` (milliseconds) expires.
 * NOTE: The TTL attribute stores whole seconds, so this rounds up. A record written at 12:00:00.250 is
 * replayed until 12:00:01 the next day, up to 1 s longer than `ttlSeconds`.
 */
export function expirySeconds(now: number, ttlSeconds: number): number {
  return Math.ceil(now / 1000) + ttlSeconds;
}

/**
 * Decides what a duplicate gets from the record that blocked its claim. Returns the completed record to
 * replay, or undefined when the record is gone or free again and the claim should be retried.
 */
async function settle(
  request: ClaimRequest,
  existing: IdempotencyRecord | undefined,
  waitDeadline: number,
): Promise<(IdempotencyRecord & { result: SavedResult }) | undefined> {
  let record = existing;
  for (let delay = FIRST_POLL_DELAY_MS; ; delay = Math.min(delay * 2, MAX_POLL_DELAY_MS)) {
    const now = request.clock();
    if (!record || isExpired(record, now)) return undefined;
    if (record.fingerprint !== request.fingerprint) throw new IdempotencyConflictError();
    if (record.status === 'COMPLETED' && record.result) return record as IdempotencyRecord & { result: SavedResult };
    // A crashed or timed-out invocation's lease has ended: the next claim takes the record over.
    if (record.leaseExpiresAt <= now) return undefined;

    // In progress under a live lease: poll until it completes, frees up, or the wait runs out.
    const remaining = waitDeadline - performance.now();
    if (remaining <= 0) throw new IdempotencyInProgressError(IN_PROGRESS_RETRY_AFTER_SECONDS);
    await sleep(Math.min(delay, remaining));
    record = await callStore(() => request.store.get(request.id));
  }
}

/** Names the logged outcome of a claim that raised: a conflict, in progress, or the store unavailable. */
export function claimFailureOutcome(error: unknown): 'conflict' | 'in_progress' | 'unavailable' {
  if (!(error instanceof IdempotencyError)) return 'unavailable';
  if (error.code === 'idempotency_conflict') return 'conflict';
  if (error.code === 'idempotency_in_progress') return 'in_progress';
  return 'unavailable';
}

/** Tells whether a record has expired; an expired record counts as absent even before TTL deletes it. */
export function isExpired(record: { expiresAt: number }, now: number): boolean {
  return record.expiresAt <= Math.floor(now / 1000);
}

async function callStore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new IdempotencyUnavailableError(error);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
