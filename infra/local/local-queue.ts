import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, Handler, SQSEvent, SQSRecord } from 'aws-lambda';

/** ARNs the local runner gives its queues; a message with a `groupId` goes to the FIFO one. */
export const LOCAL_QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:publish';
export const LOCAL_FIFO_QUEUE_ARN = `${LOCAL_QUEUE_ARN}.fifo`;

/** One message of a `POST /_local/queue` request. */
interface LocalMessage {
  /** Default: a new UUID. Send the same id again to simulate SQS delivering the message again. */
  messageId?: string;
  /** The message body: a string, or any other JSON value, which is sent as its JSON text. */
  body: unknown;
  /** String message attributes, such as `{"Idempotency-Key": "order-42"}`. */
  attributes?: Record<string, string>;
  /** FIFO message group; every message of the request must have one, or none. */
  groupId?: string;
}

/**
 * Turns the queue consumer into an HTTP route for local development: `POST /_local/queue` with
 * `{"messages": [...]}` invokes the consumer with one SQS batch of those messages and returns its
 * batch response, `{"batchItemFailures": [...]}`. Nothing is queued: a failed message is not delivered
 * again unless you send it again.
 */
export function localQueueRoute(consumer: Handler<SQSEvent, unknown>): Handler<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return async (event, context) => {
    let sqsEvent: SQSEvent;
    try {
      sqsEvent = toSqsEvent(event.body ?? '');
    } catch (error) {
      return jsonResponse(400, { message: (error as Error).message });
    }
    const result = await consumer(sqsEvent, context as Context, () => undefined);
    return jsonResponse(200, result);
  };
}

function toSqsEvent(text: string): SQSEvent {
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch {
    throw new Error('The body is not valid JSON. Send {"messages": [{"body": {"apiKeyId": "...", "text": "..."}}]}.');
  }
  const messages = (request as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new Error('"messages" must be a non-empty array, such as [{"body": {"apiKeyId": "...", "text": "..."}}].');
  }

  const grouped = messages.filter((message: LocalMessage) => message?.groupId !== undefined).length;
  if (grouped !== 0 && grouped !== messages.length) {
    throw new Error('Either every message has a "groupId" (a FIFO queue) or none has (a standard queue).');
  }
  return { Records: messages.map((message: unknown, index) => toRecord(message, index, grouped > 0)) };
}

function toRecord(value: unknown, index: number, fifo: boolean): SQSRecord {
  const message = value as LocalMessage;
  if (typeof message !== 'object' || message === null || message.body === undefined) {
    throw new Error(`messages[${index}] must be an object with a "body".`);
  }
  if (message.messageId !== undefined && (typeof message.messageId !== 'string' || message.messageId === '')) {
    throw new Error(`messages[${index}].messageId must be a non-empty string.`);
  }
  const attributes = message.attributes ?? {};
  if (typeof attributes !== 'object' || Object.values(attributes).some((attribute) => typeof attribute !== 'string')) {
    throw new Error(`messages[${index}].attributes must map attribute names to strings, such as {"Idempotency-Key": "order-42"}.`);
  }

  const messageId = message.messageId ?? randomUUID();
  const now = String(Date.now());
  return {
    messageId,
    receiptHandle: `local-${messageId}`,
    body: typeof message.body === 'string' ? message.body : JSON.stringify(message.body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: now,
      ...(fifo ? { MessageGroupId: String(message.groupId), MessageDeduplicationId: messageId } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, attribute]) => [name, { stringValue: attribute, dataType: 'String' }]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: fifo ? LOCAL_FIFO_QUEUE_ARN : LOCAL_QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}
