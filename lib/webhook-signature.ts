import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookSignatureInvalidError } from './webhook-errors.js';

/** Header that carries a delivery's signature. Default of `webhookSignature()`'s `headerName`. */
export const DEFAULT_SIGNATURE_HEADER = 'X-Signature-256';

/** `sha256=` followed by the 32-byte HMAC-SHA256 digest in hexadecimal, as GitHub sends it. */
const SIGNATURE_FORMAT = /^sha256=([0-9a-fA-F]{64})$/;

/** Computes the signature header value for a body: `sha256=` and the hex HMAC-SHA256 of the bytes. */
export function signWebhookBody(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Checks the signature header values of a delivery against its raw body, comparing the digests in
 * constant time. Raises `WebhookSignatureInvalidError` when the header is missing, sent twice, not in
 * the `sha256=<hex>` form, or does not match.
 */
export function verifyWebhookSignature(secret: string, body: Uint8Array, headerValues: readonly string[], headerName: string): void {
  if (headerValues.length === 0) {
    throw new WebhookSignatureInvalidError(
      `The delivery has no ${headerName} header. Send sha256=<hex>, the HMAC-SHA256 of the raw body keyed with this source's shared secret.`,
    );
  }
  if (headerValues.length > 1) {
    throw new WebhookSignatureInvalidError(`The delivery has ${headerValues.length} ${headerName} headers; send exactly one.`);
  }

  const match = SIGNATURE_FORMAT.exec((headerValues[0] as string).trim());
  if (!match) {
    throw new WebhookSignatureInvalidError(`The ${headerName} header is not in the form sha256=<64 hexadecimal digits>.`);
  }

  const received = Buffer.from(match[1] as string, 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  // Both digests are 32 bytes, so timingSafeEqual compares them in full and leaks no prefix length.
  if (!timingSafeEqual(received, expected)) {
    throw new WebhookSignatureInvalidError(
      `The ${headerName} signature does not match the body. Sign the exact bytes you send with the shared secret of this source.`,
    );
  }
}
