import type { Context, SQSRecord } from 'aws-lambda';
import { describeError } from './logger.js';
import { createLimiter, type Limiter } from './sqs-concurrency.js';
import { isFifoRecord, messageGroupId } from './sqs-event.js';
import type { ResolvedRecordsOptions } from './sqs-options.js';
import { logRecord, processRecord, type RecordHandler, type RecordJob, type RecordResult } from './sqs-record.js';
import { identifyRecord } from './sqs-record-identity.js';

/** The first record of a batch with a given record id, which later records with that id share. */
interface FirstOccurrence {
  fingerprint: string;
  result: Promise<RecordResult>;
}

/**
 * Processes the records of one batch and returns one result per record, in the batch's order.
 *
 * Records run in lanes. On a standard queue every record is a lane of its own. On a FIFO queue each
 * message group is a lane whose records run in order, and once one fails the rest of the lane fail
 * without running, so SQS redelivers them in their original order. At most `options.concurrency` records
 * hold a claim or run the handler at the same time.
 */
export async function processBatch(
  records: readonly SQSRecord[],
  context: Context,
  handler: RecordHandler,
  options: ResolvedRecordsOptions,
): Promise<RecordResult[]> {
  const run = new BatchRun(context, handler, options);
  const results: RecordResult[] = new Array(records.length);

  await Promise.all(
    splitIntoLanes(records).map(async (lane) => {
      let laneFailed = false;
      for (const index of lane) {
        const record = records[index] as SQSRecord;
        results[index] = laneFailed ? run.skip(record) : await run.process(record);
        laneFailed ||= results[index].failed;
      }
    }),
  );
  return results;
}

/** Groups record indexes into lanes: one per FIFO message group, else one per record. */
function splitIntoLanes(records: readonly SQSRecord[]): number[][] {
  const lanes = new Map<string, number[]>();
  records.forEach((record, index) => {
    const laneKey = isFifoRecord(record) ? `group:${messageGroupId(record)}` : `record:${index}`;
    const lane = lanes.get(laneKey);
    if (lane) lane.push(index);
    else lanes.set(laneKey, [index]);
  });
  return [...lanes.values()];
}

/** State shared by the records of one batch: the concurrency limit and the first record of each id. */
class BatchRun {
  private readonly limit: Limiter;
  private readonly firstOccurrences = new Map<string, FirstOccurrence>();

  constructor(
    private readonly context: Context,
    private readonly handler: RecordHandler,
    private readonly options: ResolvedRecordsOptions,
  ) {
    this.limit = createLimiter(options.concurrency);
  }

  async process(record: SQSRecord): Promise<RecordResult> {
    const startedAt = performance.now();
    let job: RecordJob;
    try {
      job = { record, identity: identifyRecord(record, this.options), context: this.context, startedAt };
    } catch (error) {
      return this.rejectKey(record, startedAt, error);
    }

    const first = this.firstOccurrences.get(job.identity.recordId);
    if (first) return this.shareResult(job, first);

    // Registered before the first await, so a later record with the same id always finds it.
    const result = this.limit(() => processRecord(job, this.handler, this.options));
    this.firstOccurrences.set(job.identity.recordId, { fingerprint: job.identity.fingerprint, result });
    return result;
  }

  skip(record: SQSRecord): RecordResult {
    this.options.logger.info('idempotency', {
      outcome: 'skipped_after_group_failure',
      messageId: record.messageId,
      messageGroupId: messageGroupId(record),
    });
    return { outcome: 'skipped_after_group_failure', failed: true };
  }

  /**
   * Reports, without running, the success or failure of the earlier record with the same id, once that
   * record has finished, so a failed pair is redelivered together. A different body under the same key
   * is a conflict.
   */
  private async shareResult(job: RecordJob, first: FirstOccurrence): Promise<RecordResult> {
    if (first.fingerprint !== job.identity.fingerprint) {
      logRecord(this.options, job, 'conflict', new Error('An earlier record of this batch has the same idempotency key and a different body.'));
      return { outcome: 'conflict', failed: true };
    }

    const { failed } = await first.result;
    logRecord(this.options, job, 'duplicate_in_batch');
    return { outcome: 'duplicate_in_batch', failed };
  }

  /** Fails a record whose key or scope could not be derived, including when `getKey` or `scope` threw. */
  private rejectKey(record: SQSRecord, startedAt: number, error: unknown): RecordResult {
    this.options.logger.error('idempotency record failed: key_invalid', {
      outcome: 'key_invalid',
      messageId: record.messageId,
      durationMs: Math.round((performance.now() - startedAt) * 100) / 100,
      error: describeError(error),
    });
    return { outcome: 'key_invalid', failed: true };
  }
}
