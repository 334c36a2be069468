import type { Context, SQSBatchResponse } from 'aws-lambda';
import { IdempotencyOptionError } from './errors.js';
import { processBatch } from './sqs-batch.js';
import { readSqsRecords } from './sqs-event.js';
import { resolveRecordsOptions, type IdempotentRecordsOptions } from './sqs-options.js';
import type { RecordHandler } from './sqs-record.js';

/** A Lambda handler for SQS events that reports partial batch failures. */
export type SqsBatchHandler = (event: unknown, context: Context) => Promise<SQSBatchResponse>;

/**
 * Wraps a handler of one SQS record into a handler of the whole batch. Each record gets its own claim,
 * and a record completed by an earlier delivery does not run again. Only the records that failed are
 * returned in `batchItemFailures`, so SQS redelivers just those. The event source mapping must have
 * `ReportBatchItemFailures` turned on.
 *
 * The result is a plain Lambda handler; pass it to `middy()` to add other middleware.
 *
 * @example export const handler = idempotentRecords(async (record) => publish(JSON.parse(record.body)))
 */
export function idempotentRecords(handler: RecordHandler, options?: IdempotentRecordsOptions): SqsBatchHandler {
  if (typeof handler !== 'function') {
    throw new IdempotencyOptionError(
      `idempotentRecords() takes the record handler as its first argument, a function (record, context) => Promise; received ${typeof handler}.`,
    );
  }
  const resolved = resolveRecordsOptions(options);

  return async function processSqsBatch(event: unknown, context: Context): Promise<SQSBatchResponse> {
    const records = readSqsRecords(event);
    const results = await processBatch(records, context, handler, resolved);

    const batchItemFailures = records
      .filter((_record, index) => results[index]?.failed)
      .map((record) => ({ itemIdentifier: record.messageId }));
    return { batchItemFailures };
  };
}
