/**
 * The idempotency record as it is stored in DynamoDB: one item per record id.
 * The CDK stack reads the attribute names from here, so the table's key and TTL attribute always match
 * what the library writes.
 */

/** Partition key of the idempotency table (string): the record id, a SHA-256 hex digest. */
export const RECORD_ID_ATTRIBUTE = 'id';

/** Expiry in epoch seconds (number); the table's TTL attribute. */
export const EXPIRY_ATTRIBUTE = 'expiresAt';

/** Environment variable that names the idempotency table for the default store. */
export const TABLE_NAME_VARIABLE = 'IDEMPOTENCY_TABLE_NAME';

/** DynamoDB actions the record store calls; the CDK construct grants exactly these. */
export const STORE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:GetItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

import type { SavedResult } from './saved-result.js';

export type RecordStatus = 'IN_PROGRESS' | 'COMPLETED';

/** A record read back from the store. */
export interface IdempotencyRecord {
  id: string;
  status: RecordStatus;
  fingerprint: string;
  /** Epoch seconds after which the record counts as absent, whether or not TTL has deleted it. */
  expiresAt: number;
  /** Random token of the invocation that holds the lease; completing and releasing require it. */
  leaseToken: string;
  /** Epoch milliseconds after which an in-progress record may be taken over by another invocation. */
  leaseExpiresAt: number;
  /** The saved result, present when `status` is `COMPLETED`. */
  result?: SavedResult;
}
