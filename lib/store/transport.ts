/**
 * The DynamoDB JSON API operations the record store calls, behind one method. Two implementations
 * exist: a lean signed node:http transport (the default) and one over an AWS SDK v3 client you pass in.
 */

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: Uint8Array | string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: AttributeMap }
  | { L: AttributeValue[] };

export type AttributeMap = Record<string, AttributeValue>;

export type StoreOperation = 'PutItem' | 'GetItem' | 'UpdateItem' | 'DeleteItem';

export interface DynamoDBTransport {
  /**
   * Sends one operation with DynamoDB JSON input and returns its output. A failed condition raises
   * `ConditionalCheckFailedError`; every other failure raises the transport's own error.
   */
  send(operation: StoreOperation, input: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** A conditional write failed; `item` is the current item when the server returned it. */
export class ConditionalCheckFailedError extends Error {
  constructor(
    readonly item: AttributeMap | undefined,
    options?: { cause?: unknown },
  ) {
    super('The conditional request failed.', options);
    this.name = 'ConditionalCheckFailedError';
  }
}
