import type { SQSEvent, SQSRecord } from 'aws-lambda';

export const STANDARD_QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:publish';
export const FIFO_QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:publish.fifo';

export interface MessageInit {
  messageId: string;
  body?: string;
  /** String message attributes by name. */
  attributes?: Record<string, string>;
  /** Makes the record a FIFO queue record of this message group. */
  groupId?: string;
  queueArn?: string;
}

/** Builds an SQS record as Lambda delivers it from a standard queue, or a FIFO queue with `groupId`. */
export function sqsRecord(init: MessageInit): SQSRecord {
  const fifo = init.groupId !== undefined;
  return {
    messageId: init.messageId,
    receiptHandle: `receipt-${init.messageId}`,
    body: init.body ?? JSON.stringify({ apiKeyId: 'key-1', text: `text of ${init.messageId}` }),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000001',
      ...(fifo ? { MessageGroupId: init.groupId, MessageDeduplicationId: init.messageId, SequenceNumber: '1' } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(init.attributes ?? {}).map(([name, value]) => [name, { stringValue: value, dataType: 'String' }]),
    ),
    md5OfBody: 'not-checked',
    eventSource: 'aws:sqs',
    eventSourceARN: init.queueArn ?? (fifo ? FIFO_QUEUE_ARN : STANDARD_QUEUE_ARN),
    awsRegion: 'us-east-1',
  };
}

/** Builds an SQS event from message descriptions. */
export function sqsEvent(messages: MessageInit[]): SQSEvent {
  return { Records: messages.map(sqsRecord) };
}

/** Returns the message ids a batch response reports as failed, in order. */
export function failedIds(response: { batchItemFailures: Array<{ itemIdentifier: string }> }): string[] {
  return response.batchItemFailures.map((failure) => failure.itemIdentifier);
}
