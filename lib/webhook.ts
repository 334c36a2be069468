import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { IdempotencyOptionError, type IdempotencyError } from './errors.js';
import { consoleJsonLogger, describeError, type Logger } from './logger.js';
import { checkOptions, VALIDATORS, type OptionValidator } from './options.js';
import { problemResponse } from './problem.js';
import { shapeForEvent } from './saved-result.js';
import { WebhookSecretUnavailableError, WebhookSignatureInvalidError, WebhookSourceUnknownError } from './webhook-errors.js';
import { eventHeaderValues, expectsMultiValueResponse, readRawBody, sourceFromPath, type WebhookEvent } from './webhook-request.js';
import type { WebhookSecrets } from './webhook-secrets.js';
import { DEFAULT_SIGNATURE_HEADER, verifyWebhookSignature } from './webhook-signature.js';

/** Options of `webhookSignature()`. Only `secrets` is required; an unknown or invalid option raises at build time. */
export interface WebhookSignatureOptions {
  /**
   * Returns each source's shared secret, such as `secretsManagerWebhookSecrets({ secretId })` or, for
   * local development, `sharedWebhookSecret('...')`. Required.
   */
  secrets: WebhookSecrets;
  /** Header that carries `sha256=<hex HMAC-SHA256 of the raw body>`, matched case-insensitively. Default `X-Signature-256`. */
  headerName?: string;
  /** Returns the webhook source of an event. Default: the `source` path parameter, as in `/v1/webhooks/{source}`. */
  getSource?: (event: any) => string | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Receives a line per rejected delivery and every caught error. Default: JSON lines on the console. */
  logger?: Logger;
}

const isFunction: OptionValidator = (value) => (typeof value === 'function' ? undefined : 'a function');

const SIGNATURE_VALIDATORS: { [Name in keyof Required<WebhookSignatureOptions>]: OptionValidator } = {
  secrets: isFunction,
  headerName: VALIDATORS.headerName,
  getSource: isFunction,
  logger: VALIDATORS.logger,
};

/**
 * Authenticates webhook deliveries: checks the HMAC-SHA256 signature of the raw body against the shared
 * secret of the delivery's source before the handler or any later middleware runs. A missing or wrong
 * signature gets 401, a source without a secret gets 404, and a failure to load the secrets gets 503.
 * Each of these is a response of the middleware itself, so nothing after it runs.
 *
 * Use it first, before `idempotent()` and before any body parser, so a forged delivery cannot claim a
 * delivery id and the signature covers the bytes that were sent.
 *
 * @example middy(handler).use(webhookSignature({ secrets })).use(idempotent({ getKey: webhookDeliveryId({ jsonField: 'id' }), scope: webhookSourceScope() }))
 */
export function webhookSignature(options: WebhookSignatureOptions): MiddlewareObj<unknown, any, Error, Context> { // eslint-disable-line @typescript-eslint/no-explicit-any
  checkOptions('webhookSignature()', options, SIGNATURE_VALIDATORS);
  if (options.secrets === undefined) {
    throw new IdempotencyOptionError('webhookSignature() needs { secrets }, which returns the shared secret of each webhook source.');
  }
  const headerName = options.headerName ?? DEFAULT_SIGNATURE_HEADER;
  const getSource = options.getSource ?? sourceFromPath;
  const logger = options.logger ?? consoleJsonLogger;

  const webhookSignatureBefore = async (request: Request<unknown, unknown, Error, Context>): Promise<unknown> => {
    const event = request.event as WebhookEvent;
    const source = readSource(getSource, event);
    const body = readRawBody(event);

    let secret: string | undefined;
    try {
      secret = await options.secrets(source);
    } catch (error) {
      logger.error('webhook secrets could not be loaded', { outcome: 'secret_unavailable', source, error: describeError(error) });
      return reject(request, new WebhookSecretUnavailableError(error));
    }
    if (secret === undefined) {
      logger.warn('webhook delivery rejected', { outcome: 'source_unknown', source });
      return reject(request, new WebhookSourceUnknownError(source));
    }

    try {
      verifyWebhookSignature(secret, body, eventHeaderValues(event, headerName), headerName);
    } catch (error) {
      if (!(error instanceof WebhookSignatureInvalidError)) throw error;
      logger.warn('webhook delivery rejected', { outcome: 'invalid_signature', source, reason: error.message });
      return reject(request, error, { 'WWW-Authenticate': `HMAC-SHA256 header="${headerName}"` });
    }
    return undefined;
  };

  return { name: 'webhookSignature', before: webhookSignatureBefore };
}

function readSource(getSource: (event: unknown) => string | undefined, event: WebhookEvent): string {
  const source = getSource(event);
  if (typeof source !== 'string' || source === '') {
    throw new TypeError(
      'webhookSignature() found no webhook source: route the function at a path with a {source} parameter, such as /v1/webhooks/{source}, or pass a getSource function.',
    );
  }
  return source;
}

/** Ends the request with a problem response; Middy then skips every later middleware and the handler. */
function reject(
  request: Request<unknown, unknown, Error, Context>,
  error: IdempotencyError,
  extraHeaders: Record<string, string> = {},
): unknown {
  const problem = problemResponse(error);
  problem.headers = { ...problem.headers, ...extraHeaders };
  const response = shapeForEvent(problem, expectsMultiValueResponse(request.event as WebhookEvent));
  request.earlyResponse = response;
  return response;
}
