import type { SQSRecord } from 'aws-lambda';
import { idempotentRecords } from '../lib/index.js';
import { consoleJsonLogger, type Logger } from '../lib/logger.js';
import { InvalidPostError } from './posts/post.js';
import { publishPost } from './posts/publish-post.js';

/** A queued request to publish a post: `{"apiKeyId": "...", "text": "..."}`. */
interface PublishMessage {
  apiKeyId: string;
  text: unknown;
}

/** A message that can never be published, whatever the number of attempts. */
class InvalidMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMessageError';
  }
}

/**
 * Publishes one queued message as a post owned by `apiKeyId`, through the same code as `POST /v1/posts`.
 *
 * A message that is invalid (not JSON, no `apiKeyId`, or a text the API rejects) is logged at error level
 * and counts as handled, so it is deleted instead of being delivered again until it reaches the
 * dead-letter queue. Any other error, such as a failed DynamoDB write, fails the record, so SQS delivers
 * it again and, after the queue's maximum receive count, moves it to the dead-letter queue.
 */
export function createPublishMessage(logger: Logger = consoleJsonLogger) {
  return async function publishMessage(record: SQSRecord): Promise<void> {
    try {
      const message = parseMessage(record.body);
      await publishPost({ owner: message.apiKeyId, text: message.text });
    } catch (error) {
      if (!(error instanceof InvalidMessageError) && !(error instanceof InvalidPostError)) throw error;
      // The body may hold user text, so the log keeps only the message id and the reason.
      logger.error('invalid publish message dropped', {
        outcome: 'invalid_message',
        messageId: record.messageId,
        reason: error.message,
      });
    }
  };
}

function parseMessage(body: string): PublishMessage {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    throw new InvalidMessageError('The message body is not valid JSON; send {"apiKeyId": "...", "text": "..."}.');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new InvalidMessageError('The message body must be a JSON object such as {"apiKeyId": "...", "text": "..."}.');
  }

  const { apiKeyId, text } = message as { apiKeyId?: unknown; text?: unknown };
  if (typeof apiKeyId !== 'string' || apiKeyId === '') {
    throw new InvalidMessageError('"apiKeyId" must be a non-empty string: the API key id that owns the post.');
  }
  return { apiKeyId, text };
}

/**
 * Each record is claimed on its own: the key is the `Idempotency-Key` message attribute when the
 * producer sets one, else the message id, within the queue's ARN. Only failed records are reported, so
 * SQS redelivers just those.
 */
export const handler = idempotentRecords(createPublishMessage());
