import { lambdaContext, restEvent } from '../test/support/events.js';
import { KEY_HEADER, type Variant } from './variants.js';

/** Result of one invocation: an HTTP status, or the name of the error it raised. */
export interface InvocationResult {
  statusCode?: number;
  error?: string;
  replayed: boolean;
}

/** Builds an API Gateway REST API event that posts `text` with the given idempotency key. */
export function postEvent(key: string, text = 'hello'): Record<string, unknown> {
  return restEvent({ headers: { [KEY_HEADER]: key }, body: JSON.stringify({ text }) });
}

/** Invokes a variant and returns its result. A raised error is a result too, not a failure. */
export async function invoke(variant: Variant, event: Record<string, unknown>): Promise<InvocationResult> {
  try {
    const response = (await variant.handler(event, lambdaContext())) as { statusCode?: number; headers?: Record<string, string> };
    return { statusCode: response?.statusCode, replayed: response?.headers?.['Idempotent-Replayed'] === 'true' };
  } catch (error) {
    return { error: (error as Error).name ?? String(error), replayed: false };
  }
}

/** Returns the label of an invocation result, for example `201` or `IdempotencyValidationError`. */
export function describeResult(result: InvocationResult): string {
  return result.error ?? String(result.statusCode);
}

let keyCount = 0;

/** Returns an idempotency key no earlier request of this process used. */
export function freshKey(prefix: string): string {
  return `${prefix}-${process.pid}-${++keyCount}`;
}
