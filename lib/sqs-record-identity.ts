import type { SQSRecord } from 'aws-lambda';
import { fingerprint, hashParts } from './hashing.js';
import { IdempotencyKeyInvalidError } from './errors.js';
import { validateKey } from './idempotency-key.js';
import type { ResolvedRecordsOptions } from './sqs-options.js';

/** Domain tag that keeps SQS record ids apart from HTTP record ids built from the same strings. */
const SQS_RECORD_ID_DOMAIN = 'idempotency-sqs-record:v1';

/** Everything derived from one SQS record, computed once per record. */
export interface RecordIdentity {
  messageId: string;
  /** SHA-256 hex of the scope and key; the raw key is never stored or logged. */
  recordId: string;
  /** SHA-256 hex of the message body. */
  fingerprint: string;
}

/**
 * Derives a record's id and fingerprint. The key is the `getKey` result, else the key message attribute,
 * else the `messageId`. Raises `IdempotencyKeyInvalidError` for an empty, too long or non-ASCII key,
 * and TypeError for a scope that is not a non-empty string.
 */
export function identifyRecord(record: SQSRecord, options: ResolvedRecordsOptions): RecordIdentity {
  const key = readRecordKey(record, options);
  const scope = options.scope(record);
  if (typeof scope !== 'string' || scope === '') {
    throw new TypeError(`The idempotentRecords() scope function returned ${JSON.stringify(scope)}; it must return a non-empty string.`);
  }

  return {
    messageId: record.messageId,
    recordId: hashParts([SQS_RECORD_ID_DOMAIN, scope, key]),
    fingerprint: fingerprint(Buffer.from(record.body, 'utf8')),
  };
}

function readRecordKey(record: SQSRecord, options: ResolvedRecordsOptions): string {
  const extracted = options.getKey?.(record);
  if (extracted !== undefined) {
    if (typeof extracted !== 'string') {
      throw new TypeError(`The idempotentRecords() getKey function returned ${typeof extracted}; return a string, or undefined for the default key.`);
    }
    validateKey(extracted, 'getKey() key');
    return extracted;
  }

  const attribute = record.messageAttributes?.[options.keyAttributeName];
  if (attribute !== undefined) {
    if (typeof attribute.stringValue !== 'string') {
      throw new IdempotencyKeyInvalidError(
        `The message attribute ${options.keyAttributeName} has data type ${attribute.dataType} and no string value; send the key as a String attribute.`,
      );
    }
    validateKey(attribute.stringValue, `message attribute ${options.keyAttributeName}`);
    return attribute.stringValue;
  }

  return record.messageId;
}
