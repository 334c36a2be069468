import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  idempotent,
  secretsManagerWebhookSecrets,
  sharedWebhookSecret,
  webhookDeliveryId,
  webhookSignature,
  webhookSourceScope,
  type WebhookSecrets,
} from '../lib/index.js';
import { bodyText, json, problem } from './http.js';
import { InvalidPostError, validateText } from './posts/post.js';
import { publishPost } from './posts/publish-post.js';
import { LOCAL_WEBHOOK_SECRET, WEBHOOK_SECRET_ARN_VARIABLE, WEBHOOK_SECRET_VARIABLE } from './webhook-settings.js';

/** Event type that publishes a post; every other type is acknowledged and ignored. */
export const POST_REQUESTED = 'post.requested';

/** A webhook event as the sender posts it. */
interface WebhookEventBody {
  id: string | number;
  type: string;
  data?: { text?: unknown };
}

/**
 * POST /v1/webhooks/{source}: `{"id", "type", "data": {"text"}}`. A `post.requested` event publishes
 * `data.text` as a post owned by `webhook:<source>`; other types get 200 and change nothing.
 */
async function receiveWebhook(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  // webhookSignature() has checked that the source has a secret and that the signature matches it.
  const source = event.pathParameters?.source as string;

  const body = parseEventBody(bodyText(event));
  if (typeof body === 'string') return invalidRequest(body);
  if (body.type !== POST_REQUESTED) return json(200, { received: true, ignored: true, type: body.type });

  try {
    const post = await publishPost({ owner: `webhook:${source}`, text: validateText(body.data?.text, 'data.text') });
    return json(201, { received: true, post });
  } catch (error) {
    if (error instanceof InvalidPostError) return invalidRequest(error.message);
    throw error;
  }
}

/** Parses a webhook event body, or returns what is wrong with it. */
function parseEventBody(text: string): WebhookEventBody | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'The body is not valid JSON. Send {"id": "...", "type": "post.requested", "data": {"text": "..."}}.';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'The body must be a JSON object such as {"id": "...", "type": "post.requested", "data": {"text": "..."}}.';
  }

  const { type, data } = body as { type?: unknown; data?: unknown };
  if (typeof type !== 'string' || type === '') {
    return `"type" must be a non-empty string, such as "${POST_REQUESTED}".`;
  }
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) {
    return '"data" must be a JSON object such as {"text": "..."}.';
  }
  return body as WebhookEventBody;
}

function invalidRequest(detail: string): APIGatewayProxyResult {
  return problem(400, 'invalid_request', 'Invalid request', detail);
}

/**
 * Chooses where the sources' shared secrets come from: the Secrets Manager secret named by
 * `WEBHOOK_SECRET_ARN`, else `WEBHOOK_SECRET` for every source, else, outside Lambda only, the local
 * development secret. Inside Lambda a missing ARN is a deployment error, so the well-known local secret
 * can never authenticate a delivery there.
 */
export function webhookSecretsFromEnvironment(env: NodeJS.ProcessEnv = process.env): WebhookSecrets {
  const secretArn = env[WEBHOOK_SECRET_ARN_VARIABLE];
  if (secretArn) return secretsManagerWebhookSecrets({ secretId: secretArn });

  const secret = env[WEBHOOK_SECRET_VARIABLE];
  if (secret !== undefined) return sharedWebhookSecret(secret);
  if (env.AWS_LAMBDA_FUNCTION_NAME) {
    throw new Error(
      `${WEBHOOK_SECRET_ARN_VARIABLE} is not set: set it to the ARN of the secret that maps each webhook source to its shared secret.`,
    );
  }
  return sharedWebhookSecret(LOCAL_WEBHOOK_SECRET);
}

/**
 * The middleware order is part of the contract:
 * 1. webhookSignature() checks the HMAC of the raw body first, so a forged delivery gets 401 before it
 *    can claim a delivery id or reach the handler;
 * 2. idempotent() then claims the event's `id` within the source, and replays the first response to a
 *    redelivery with that id.
 * The handler parses the body itself; a body parser added here would have to come after both.
 */
export const handler = middy(receiveWebhook)
  .use(webhookSignature({ secrets: webhookSecretsFromEnvironment() }))
  .use(idempotent({ getKey: webhookDeliveryId({ jsonField: 'id' }), scope: webhookSourceScope() }));
