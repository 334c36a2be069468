import { signWebhookBody } from '../../lib/index.js';
import { restEvent } from '../support/events.js';

export const TEST_SECRET = 'test-webhook-secret';

export interface DeliveryInit {
  source?: string;
  body: string;
  /** Secret to sign the body with; null sends no signature header. Default `TEST_SECRET`. */
  secret?: string | null;
  /** Signature header value to send instead of a computed one. */
  signature?: string;
  headers?: Record<string, string>;
  /** Sends the body base64-encoded, as API Gateway does for binary media types. */
  base64?: boolean;
}

/** Builds an API Gateway REST API event for `POST /v1/webhooks/{source}`, signed like a sender signs it. */
export function delivery(init: DeliveryInit): Record<string, unknown> {
  const source = init.source ?? 'github';
  const headers: Record<string, string> = { ...init.headers };
  const secret = init.secret === undefined ? TEST_SECRET : init.secret;
  if (init.signature !== undefined) headers['X-Signature-256'] = init.signature;
  else if (secret !== null) headers['X-Signature-256'] = signWebhookBody(secret, init.body);

  const body = init.base64 ? Buffer.from(init.body, 'utf8').toString('base64') : init.body;
  const event = restEvent({ path: `/v1/webhooks/${source}`, headers, body, isBase64Encoded: init.base64 ?? false });
  // Webhook senders have no API key.
  const requestContext = event.requestContext as { identity: Record<string, unknown> };
  requestContext.identity = { sourceIp: '127.0.0.1', apiKey: null, apiKeyId: null };
  return { ...event, resource: '/v1/webhooks/{source}', pathParameters: { source } };
}

/** Builds a webhook event body, as `functions/webhook.ts` accepts it. */
export function eventBody(id: string, text = `text of ${id}`, type = 'post.requested'): string {
  return JSON.stringify({ id, type, data: { text } });
}
