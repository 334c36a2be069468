import { IdempotencyError } from './errors.js';

/**
 * Errors of webhook deliveries, rendered as RFC 9457 problem responses like the idempotency errors.
 * They extend `IdempotencyError` for its status, code and title, which the problem renderer reads.
 */

/** 401: the delivery's signature header is missing, malformed, or does not match its body. */
export class WebhookSignatureInvalidError extends IdempotencyError {
  constructor(detail: string) {
    super({ status: 401, code: 'invalid_signature', title: 'Invalid webhook signature', detail });
  }
}

/** 404: no shared secret is configured for the source named in the path, so no delivery can be verified. */
export class WebhookSourceUnknownError extends IdempotencyError {
  constructor(source: string) {
    super({
      status: 404,
      code: 'webhook_source_unknown',
      title: 'Unknown webhook source',
      detail: `No webhook secret is configured for the source ${JSON.stringify(source)}. Check the source name in the URL.`,
    });
  }
}

/** 503: the shared secrets could not be loaded, so the delivery was neither verified nor processed. */
export class WebhookSecretUnavailableError extends IdempotencyError {
  constructor(cause: unknown) {
    super(
      {
        status: 503,
        code: 'webhook_secret_unavailable',
        title: 'Webhook secrets unavailable',
        detail: 'The delivery was not processed because the webhook secrets could not be loaded. Deliver it again later.',
        retryAfterSeconds: 1,
      },
      { cause },
    );
  }
}

/** 400: the delivery carries no delivery id where the endpoint reads its idempotency key. */
export class WebhookDeliveryIdMissingError extends IdempotencyError {
  constructor(detail: string) {
    super({ status: 400, code: 'idempotency_key_missing', title: 'Missing webhook delivery id', detail });
  }
}
