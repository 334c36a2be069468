import { IdempotencyKeyInvalidError } from './errors.js';
import { headerValues, type HttpRequest } from './http-request.js';
import { WebhookDeliveryIdMissingError } from './webhook-errors.js';
import { sourceFromPath } from './webhook-request.js';

/**
 * Location of a delivery's id: a header, such as `X-GitHub-Delivery` or `webhook-id`, or a top-level
 * field of the JSON body, such as an event's `id`.
 */
export type DeliveryIdLocation = { header: string } | { jsonField: string };

/**
 * Builds an `idempotent()` `getKey` function that reads a webhook's delivery id, so a redelivery gets the
 * first delivery's response. A delivery without the id gets a 400 problem response.
 *
 * @example idempotent({ getKey: webhookDeliveryId({ header: 'X-GitHub-Delivery' }), scope: webhookSourceScope() })
 */
export function webhookDeliveryId(location: DeliveryIdLocation): (request: HttpRequest) => string {
  if (typeof location === 'object' && location !== null && 'header' in location && typeof location.header === 'string' && location.header !== '') {
    const header = location.header;
    return (request) => deliveryIdFromHeader(request, header);
  }
  if (typeof location === 'object' && location !== null && 'jsonField' in location && typeof location.jsonField === 'string' && location.jsonField !== '') {
    const field = location.jsonField;
    return (request) => deliveryIdFromJson(request, field);
  }
  throw new TypeError(
    `webhookDeliveryId() takes { header: "<header name>" } or { jsonField: "<field name>" }; received ${JSON.stringify(location)}.`,
  );
}

/**
 * Builds an `idempotent()` `scope` function that keeps each webhook source's delivery ids apart: the
 * scope is `webhook:` and the `source` path parameter, or what `getSource` returns.
 */
export function webhookSourceScope(getSource: (event: unknown) => string | undefined = sourceFromPath): (event: unknown) => string {
  return (event) => {
    const source = getSource(event);
    if (typeof source !== 'string' || source === '') {
      throw new TypeError(
        'webhookSourceScope() found no webhook source: route the function at a path with a {source} parameter, such as /v1/webhooks/{source}, or pass a getSource function.',
      );
    }
    return `webhook:${source}`;
  };
}

function deliveryIdFromHeader(request: HttpRequest, header: string): string {
  const values = new Set(headerValues(request, header).map((value) => value.trim()));
  if (values.size === 0) {
    throw new WebhookDeliveryIdMissingError(`The delivery has no ${header} header, which this endpoint uses as its idempotency key.`);
  }
  if (values.size > 1) {
    throw new IdempotencyKeyInvalidError(`The delivery carries ${values.size} different ${header} values; send exactly one.`);
  }
  return values.values().next().value as string;
}

function deliveryIdFromJson(request: HttpRequest, field: string): string {
  // The fingerprint bytes are the JSON body itself, or its canonical form when a parser already read it.
  let body: unknown;
  try {
    body = JSON.parse(request.fingerprintBytes.toString('utf8'));
  } catch {
    throw new IdempotencyKeyInvalidError(`The delivery body is not valid JSON, so it has no "${field}" field to use as its idempotency key.`);
  }

  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  const value = isObject && Object.hasOwn(body as object, field) ? (body as Record<string, unknown>)[field] : undefined;
  if (typeof value === 'string') {
    if (value === '') throw new IdempotencyKeyInvalidError(`The delivery body's "${field}" field is empty; it must name the delivery.`);
    return value;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (value === undefined) {
    throw new WebhookDeliveryIdMissingError(`The delivery body has no "${field}" field, which this endpoint uses as its idempotency key.`);
  }
  throw new IdempotencyKeyInvalidError(`The delivery body's "${field}" field is ${describe(value)}; it must be a string or an integer.`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
