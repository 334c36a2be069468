import type { Context, SQSRecord } from 'aws-lambda';
import { claimFailureOutcome, claimRecord, expirySeconds, type ClaimDecision } from './claim.js';
import { IdempotencyError } from './errors.js';
import { describeError } from './logger.js';
import { DEFAULT_LEASE_MS } from './middleware.js';
import type { RecordIdentity } from './sqs-record-identity.js';
import type { ResolvedRecordsOptions } from './sqs-options.js';
import { LeaseLostError } from './store/record-store.js';

/** Runs the work of one SQS record. Its return value is ignored; a thrown error fails the record. */
export type RecordHandler = (record: SQSRecord, context: Context) => Promise<unknown> | unknown;

/** Outcome of one record, as logged. */
export type RecordOutcome =
  /** Claimed, handled and saved as completed. */
  | 'completed'
  /** Completed by an earlier delivery, so the handler did not run. */
  | 'replayed'
  /** The same key appeared earlier in the batch; the record shares that record's result. */
  | 'duplicate_in_batch'
  /** Another invocation holds the record under a live lease. */
  | 'in_progress'
  /** The key was completed or is held for a different message body. */
  | 'conflict'
  /** The record store failed, so the handler did not run. */
  | 'unavailable'
  /** The handler threw; the claim was released so a redelivery runs it again. */
  | 'handler_failed'
  /** No valid key or scope could be derived from the record. */
  | 'key_invalid'
  /** An earlier record of the same FIFO message group failed, so this one did not run. */
  | 'skipped_after_group_failure';

/** A record's outcome and whether SQS should deliver it again (it goes into `batchItemFailures`). */
export interface RecordResult {
  outcome: RecordOutcome;
  failed: boolean;
}

/** One record to process, with what was derived from it and when its processing started. */
export interface RecordJob {
  record: SQSRecord;
  identity: RecordIdentity;
  context: Context;
  /** `performance.now()` when the batch reached this record. */
  startedAt: number;
}

/**
 * Claims a record and runs the handler once the claim succeeds. A record completed earlier succeeds
 * without running. A record claimed elsewhere, a store failure and a handler error fail the record.
 */
export async function processRecord(
  job: RecordJob,
  handler: RecordHandler,
  options: ResolvedRecordsOptions,
): Promise<RecordResult> {
  let decision: ClaimDecision;
  try {
    decision = await claimRecord({
      store: options.store,
      id: job.identity.recordId,
      fingerprint: job.identity.fingerprint,
      clock: options.clock,
      ttlSeconds: options.ttlSeconds,
      leaseMs: job.context?.getRemainingTimeInMillis?.() ?? DEFAULT_LEASE_MS,
      // A record held elsewhere is reported at once and redelivered later, instead of holding up the batch.
      inProgressWaitMs: 0,
      logger: options.logger,
    });
  } catch (error) {
    return claimFailure(error, job, options);
  }

  if (decision.outcome === 'replayed') {
    logRecord(options, job, 'replayed');
    return { outcome: 'replayed', failed: false };
  }
  return runClaimed(job, decision.leaseToken, handler, options);
}

async function runClaimed(
  job: RecordJob,
  leaseToken: string,
  handler: RecordHandler,
  options: ResolvedRecordsOptions,
): Promise<RecordResult> {
  try {
    await handler(job.record, job.context);
  } catch (error) {
    logRecord(options, job, 'handler_failed', error);
    await release(job, leaseToken, options);
    return { outcome: 'handler_failed', failed: true };
  }

  await complete(job, leaseToken, options);
  logRecord(options, job, 'completed');
  return { outcome: 'completed', failed: false };
}

/**
 * Saves the record as completed. A failed save is logged but does not fail the record: the handler has
 * run, and a redelivery would find the record in progress until its lease ends, then run it again.
 */
async function complete(job: RecordJob, leaseToken: string, options: ResolvedRecordsOptions): Promise<void> {
  const expiresAt = expirySeconds(options.clock(), options.ttlSeconds);
  try {
    await options.store.complete({ id: job.identity.recordId, leaseToken, result: { kind: 'undefined' }, expiresAt });
  } catch (error) {
    logWriteFailure(options, job, 'save', error);
  }
}

async function release(job: RecordJob, leaseToken: string, options: ResolvedRecordsOptions): Promise<void> {
  try {
    await options.store.release({ id: job.identity.recordId, leaseToken });
  } catch (error) {
    logWriteFailure(options, job, 'release', error);
  }
}

function claimFailure(error: unknown, job: RecordJob, options: ResolvedRecordsOptions): RecordResult {
  const outcome = claimFailureOutcome(error);
  logRecord(options, job, outcome, outcome === 'in_progress' ? undefined : error);
  return { outcome, failed: true };
}


/** Logs how a record ended: failures caused by an error at error level, with the error. */
export function logRecord(options: ResolvedRecordsOptions, job: Pick<RecordJob, 'identity' | 'startedAt'>, outcome: RecordOutcome, error?: unknown): void {
  const fields: Record<string, unknown> = {
    outcome,
    recordId: job.identity.recordId,
    messageId: job.identity.messageId,
    durationMs: elapsed(job.startedAt),
  };
  if (error === undefined) {
    options.logger.info('idempotency', fields);
  } else {
    options.logger.error(`idempotency record failed: ${outcome}`, { ...fields, error: describeError(errorCause(error)) });
  }
}

function logWriteFailure(options: ResolvedRecordsOptions, job: RecordJob, action: 'save' | 'release', error: unknown): void {
  const fields = { recordId: job.identity.recordId, messageId: job.identity.messageId, durationMs: elapsed(job.startedAt) };
  if (error instanceof LeaseLostError) {
    options.logger.error(`idempotency ${action} skipped: lease taken over by another invocation`, { ...fields, outcome: 'lease_lost' });
    return;
  }
  options.logger.error(`idempotency ${action} failed; the record stays in progress until its lease ends`, {
    ...fields,
    error: describeError(error),
  });
}

/** Unwraps the store's error from an `IdempotencyUnavailableError`, so the log shows what the store raised. */
function errorCause(error: unknown): unknown {
  return error instanceof IdempotencyError && error.cause !== undefined ? error.cause : error;
}

function elapsed(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 100) / 100;
}
