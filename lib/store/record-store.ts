import type { IdempotencyRecord } from '../record.js';
import type { SavedResult } from '../saved-result.js';

/** Input of a claim: the new in-progress record and the lease of the invocation that writes it. */
export interface ClaimInput {
  id: string;
  fingerprint: string;
  leaseToken: string;
  /** Epoch milliseconds. */
  leaseExpiresAt: number;
  /** Epoch seconds. */
  expiresAt: number;
  /** Epoch milliseconds; records that expired or whose lease ended before this count as free. */
  now: number;
}

/** The result of a claim: claimed, or the record that prevented it (undefined when it has vanished). */
export type ClaimOutcome = { claimed: true } | { claimed: false; existing: IdempotencyRecord | undefined };

/**
 * Storage for idempotency records. Every write is conditional: `claim` only takes a free record, and
 * `complete` and `release` only touch a record still held by the given lease token, raising
 * `LeaseLostError` otherwise. Any other error means the store could not be reached or failed.
 */
export interface RecordStore {
  claim(input: ClaimInput): Promise<ClaimOutcome>;
  /** Reads a record with a strongly consistent read. */
  get(id: string): Promise<IdempotencyRecord | undefined>;
  complete(input: { id: string; leaseToken: string; result: SavedResult; expiresAt: number }): Promise<{ omitted: boolean }>;
  release(input: { id: string; leaseToken: string }): Promise<void>;
}

/** Raised when a record is no longer held by this invocation's lease: another invocation took it over. */
export class LeaseLostError extends Error {
  constructor(readonly recordId: string) {
    super(`The lease on idempotency record ${recordId} was taken over by another invocation.`);
    this.name = 'LeaseLostError';
  }
}

/** The idempotency table does not exist, or the credentials cannot see it. */
export class TableNotFoundError extends Error {
  constructor(
    readonly tableName: string,
    cause: unknown,
  ) {
    super(
      `DynamoDB has no table "${tableName}" in this account and region. Create it, or set IDEMPOTENCY_TABLE_NAME or { tableName } to the idempotency table.`,
      { cause },
    );
    this.name = 'TableNotFoundError';
  }
}
