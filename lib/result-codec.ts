import type { SavedResult } from './saved-result.js';

/** Results larger than this, in bytes of JSON, are stored gzip-compressed. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/** An encoded result: JSON text, or gzip-compressed JSON bytes. */
export type EncodedResult = string | Uint8Array;

/**
 * Encodes a saved result so it fits in `maxBytes`. When even the compressed form is larger, the HTTP
 * body (or the whole non-HTTP value) is dropped and the result is marked as omitted, so a retry still
 * replays instead of running the handler again.
 */
export function encodeResult(result: SavedResult, maxBytes: number): { encoded: EncodedResult; omitted: boolean } {
  let json: string;
  try {
    json = JSON.stringify(result);
  } catch {
    // A value JSON cannot represent, such as a BigInt or a cycle, is saved as omitted.
    return { encoded: JSON.stringify(omit(result)), omitted: true };
  }

  const encoded = compressIfLarge(json);
  const size = typeof encoded === 'string' ? Buffer.byteLength(encoded, 'utf8') : encoded.length;
  if (size <= maxBytes) return { encoded, omitted: false };
  return { encoded: JSON.stringify(omit(result)), omitted: true };
}

/** Decodes what `encodeResult` produced. */
export function decodeResult(encoded: EncodedResult): SavedResult {
  const json = typeof encoded === 'string' ? encoded : zlib().gunzipSync(encoded).toString('utf8');
  return JSON.parse(json) as SavedResult;
}

function compressIfLarge(json: string): EncodedResult {
  if (Buffer.byteLength(json, 'utf8') <= COMPRESSION_THRESHOLD_BYTES) return json;
  const compressed = zlib().gzipSync(json);
  return compressed.length < Buffer.byteLength(json, 'utf8') ? new Uint8Array(compressed) : json;
}

/**
 * Loads node:zlib on first use. Most results are small and never compressed, and loading zlib when the
 * library loads would add milliseconds to every cold start.
 */
function zlib(): typeof import('node:zlib') {
  return process.getBuiltinModule('node:zlib');
}

function omit(result: SavedResult): SavedResult {
  if (result.kind !== 'http') return { kind: 'omitted' };
  const { body: _body, isBase64Encoded: _isBase64Encoded, ...rest } = result;
  return { ...rest, bodyOmitted: true };
}
