import type { DynamoDBTransport, StoreOperation } from '../../lib/store/transport.js';

/** Wraps a real transport and fails the calls a predicate selects, before they reach the server. */
export class FaultyTransport implements DynamoDBTransport {
  readonly failures: StoreOperation[] = [];

  constructor(
    private readonly inner: DynamoDBTransport,
    private readonly shouldFail: (operation: StoreOperation, input: Record<string, unknown>) => boolean,
  ) {}

  async send(operation: StoreOperation, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.shouldFail(operation, input)) {
      this.failures.push(operation);
      throw new Error(`Injected ${operation} failure`);
    }
    return this.inner.send(operation, input);
  }
}

/** Reads the `fingerprint` string attribute of the item a PutItem call writes. */
export function putItemFingerprint(input: Record<string, unknown>): string | undefined {
  return (input.Item as { fingerprint?: { S?: string } } | undefined)?.fingerprint?.S;
}
