import type { SQSRecord } from 'aws-lambda';

/** Suffix of every FIFO queue name, and so of its ARN. */
const FIFO_SUFFIX = '.fifo';

/**
 * Checks that an event is an SQS event whose records this library can process, and returns its records.
 * Raises a TypeError naming the first problem before any record is claimed, so a malformed event
 * changes nothing.
 */
export function readSqsRecords(event: unknown): readonly SQSRecord[] {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (typeof event !== 'object' || event === null || !Array.isArray(records)) {
    throw new TypeError(
      `idempotentRecords() expects an SQS event with a Records array, received ${describeEvent(event)}. For API Gateway, function URL and ALB events use idempotent().`,
    );
  }

  records.forEach(checkRecord);
  return records as SQSRecord[];
}

/** Tells whether a record comes from a FIFO queue, whose records must keep their order per message group. */
export function isFifoRecord(record: SQSRecord): boolean {
  return record.eventSourceARN.endsWith(FIFO_SUFFIX);
}

/** Returns the message group of a FIFO record; `readSqsRecords` has checked that it has one. */
export function messageGroupId(record: SQSRecord): string {
  return record.attributes.MessageGroupId as string;
}

function checkRecord(value: unknown, index: number): void {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`idempotentRecords(): Records[${index}] is ${describeEvent(value)}, not an SQS record object.`);
  }
  const record = value as Partial<SQSRecord>;

  if (record.eventSource !== 'aws:sqs') {
    throw new TypeError(
      `idempotentRecords(): Records[${index}] has eventSource ${JSON.stringify(record.eventSource)}, expected "aws:sqs". Use idempotentRecords() only for functions that an SQS queue invokes.`,
    );
  }
  if (typeof record.messageId !== 'string' || record.messageId === '') {
    throw new TypeError(`idempotentRecords(): Records[${index}] has no messageId; SQS gives every record one, so check how the event was built.`);
  }
  const name = `Records[${index}] (messageId ${record.messageId})`;

  if (typeof record.body !== 'string') {
    throw new TypeError(
      `idempotentRecords(): ${name} has no body: its body is ${describeEvent(record.body)}, but SQS always delivers the message body as a string. Check how the event was built.`,
    );
  }
  if (typeof record.eventSourceARN !== 'string' || record.eventSourceARN === '') {
    throw new TypeError(`idempotentRecords(): ${name} has no eventSourceARN, the ARN of the queue it came from.`);
  }
  if (record.eventSourceARN.endsWith(FIFO_SUFFIX) && typeof record.attributes?.MessageGroupId !== 'string') {
    throw new TypeError(
      `idempotentRecords(): ${name} comes from the FIFO queue ${record.eventSourceARN} but has no attributes.MessageGroupId.`,
    );
  }
}

function describeEvent(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object with keys ${JSON.stringify(Object.keys(value).slice(0, 5))}`;
  return typeof value;
}
