import { hashParts } from './hashing.js';

/** Scope used when a request carries no API key and no authorizer principal. */
export const ANONYMOUS_SCOPE = 'anonymous';

interface ScopedEvent {
  requestContext?: {
    identity?: { apiKeyId?: string | null; apiKey?: string | null };
    authorizer?: {
      principalId?: string;
      claims?: { sub?: string };
      jwt?: { claims?: { sub?: string } };
      iam?: { userArn?: string };
    } | null;
  };
}

/**
 * Returns the tenant an idempotency key belongs to: the API Gateway API key id, else the API key
 * itself (hashed, so it never reaches a log or the table), else the authorizer's principal, else
 * `anonymous`. Each kind has its own prefix, so an API key id can never equal a principal.
 */
export function defaultScope(event: unknown): string {
  const context = (event as ScopedEvent | null)?.requestContext;
  const identity = context?.identity;
  if (identity?.apiKeyId) return `apiKeyId:${identity.apiKeyId}`;
  if (identity?.apiKey) return `apiKey:${hashParts([identity.apiKey])}`;

  const authorizer = context?.authorizer;
  const principal =
    authorizer?.principalId ?? authorizer?.claims?.sub ?? authorizer?.jwt?.claims?.sub ?? authorizer?.iam?.userArn;
  if (principal) return `principal:${principal}`;

  return ANONYMOUS_SCOPE;
}
