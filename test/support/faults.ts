import { DynamoDBRequestError, DynamoDBTimeoutError } from '../../lib/store/http-transport.js';
import {
  ConditionalCheckFailedError,
  type AttributeMap,
  type DynamoDBTransport,
  type StoreOperation,
} from '../../lib/store/transport.js';

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

/** Handles one intercepted call. `send` passes the call on to the wrapped transport. */
export type Interceptor = (input: Input, send: (input: Input) => Promise<Output>) => Promise<Output>;

/** The errors the lean transport raises once its own retries are used up. */
export const storeErrors = {
  throttled: (): Error =>
    new DynamoDBRequestError('ThrottlingException', 400, 'Rate of requests exceeds the allowed throughput.', true),
  timedOut: (): Error => new DynamoDBTimeoutError(2000),
  networkDown: (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
};

/**
 * Wraps a transport to record every call and to inject faults into chosen calls. The wrapped
 * transport talks to a real server, so every condition is still evaluated by that server.
 */
export class FaultInjectingTransport implements DynamoDBTransport {
  readonly calls: Array<{ operation: StoreOperation; input: Input }> = [];
  private readonly interceptors: Array<{ operation: StoreOperation; remaining: number; intercept: Interceptor }> = [];

  /**
   * @param returnOldItem emulates DynamoDB, which returns the current item with a failed condition
   *   when the request sets `ReturnValuesOnConditionCheckFailure: ALL_OLD`. Dynalite returns none.
   */
  constructor(
    private readonly inner: DynamoDBTransport,
    private readonly returnOldItem = false,
  ) {}

  /** Counts the calls of one operation since the last `resetCalls()`. */
  count(operation: StoreOperation): number {
    return this.calls.filter((call) => call.operation === operation).length;
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  /** Routes the next `times` calls of `operation` through `intercept`. */
  intercept(operation: StoreOperation, intercept: Interceptor, times = 1): this {
    this.interceptors.push({ operation, remaining: times, intercept });
    return this;
  }

  /** Fails the next `times` calls of `operation` with `error` before they reach the server. */
  fail(operation: StoreOperation, error: () => Error, times = 1): this {
    return this.intercept(operation, async () => { throw error(); }, times);
  }

  /** Sends the next call of `operation` to the server, then raises a timeout as if the response were lost. */
  loseResponse(operation: StoreOperation): this {
    return this.intercept(operation, async (input, send) => {
      await send(input);
      throw storeErrors.timedOut();
    });
  }

  /**
   * Sends the next call of `operation` twice and returns the second output, as a transport does when
   * its first attempt reached the server but timed out before the response arrived.
   */
  sendTwice(operation: StoreOperation): this {
    return this.intercept(operation, async (input, send) => {
      await send(input);
      return send(input);
    });
  }

  /** Runs `action` just before the next `times` calls of `operation` reach the server. */
  before(operation: StoreOperation, action: () => Promise<unknown>, times = 1): this {
    return this.intercept(operation, async (input, send) => {
      await action();
      return send(input);
    }, times);
  }

  async send(operation: StoreOperation, input: Input): Promise<Output> {
    this.calls.push({ operation, input });
    const interceptor = this.interceptors.find((candidate) => candidate.operation === operation && candidate.remaining > 0);
    if (!interceptor) return this.sendToServer(operation, input);

    interceptor.remaining--;
    return interceptor.intercept(input, (passed) => this.sendToServer(operation, passed));
  }

  private async sendToServer(operation: StoreOperation, input: Input): Promise<Output> {
    try {
      return await this.inner.send(operation, input);
    } catch (error) {
      const wantsOldItem = input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
      if (!this.returnOldItem || !wantsOldItem || !(error instanceof ConditionalCheckFailedError) || error.item) throw error;
      throw new ConditionalCheckFailedError(await this.readCurrentItem(input), { cause: error });
    }
  }

  private async readCurrentItem(input: Input): Promise<AttributeMap | undefined> {
    const item = input.Item as AttributeMap | undefined;
    const key = (input.Key as AttributeMap | undefined) ?? { id: item?.id as AttributeMap[string] };
    const output = await this.inner.send('GetItem', { TableName: input.TableName, Key: key, ConsistentRead: true });
    return output.Item as AttributeMap | undefined;
  }
}
