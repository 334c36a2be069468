import { createHash } from 'node:crypto';

/**
 * Hashes an ordered list of strings as SHA-256 hex. Each part is prefixed with its UTF-8 byte length,
 * so no two different lists share an encoding (`["a:b", "c"]` and `["a", "b:c"]` differ).
 */
export function hashParts(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(`${Buffer.byteLength(part, 'utf8')}:`);
    hash.update(part, 'utf8');
  }
  return hash.digest('hex');
}

/** Domain tag that keeps record ids apart from other hashes of the same parts. */
const RECORD_ID_DOMAIN = 'idempotency-record:v1';

/**
 * Derives the record id from the scope, method, path and idempotency key. The raw key and scope are
 * never stored; only this digest is.
 */
export function recordId(scope: string, method: string, path: string, key: string): string {
  return hashParts([RECORD_ID_DOMAIN, scope, method, path, key]);
}

/** Computes the fingerprint: SHA-256 hex of the request body bytes. */
export function fingerprint(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Derives a deterministic idempotency key from your own ids, for example a workflow id and a step
 * name, so a retried job reuses the key of its first attempt.
 *
 * @example deriveKey('order-42', 'charge') // the same 64-character hex key on every retry
 */
export function deriveKey(...parts: string[]): string {
  if (parts.length === 0) {
    throw new TypeError('deriveKey() needs at least one part, for example deriveKey(workflowId, stepName).');
  }
  for (const [index, part] of parts.entries()) {
    if (typeof part !== 'string') {
      throw new TypeError(`deriveKey() part ${index} is ${part === null ? 'null' : typeof part}; pass strings only.`);
    }
  }
  return hashParts(['idempotency-key:v1', ...parts]);
}
