/**
 * Serializes a JSON value in the JSON Canonicalization Scheme (RFC 8785) form: object members sorted by
 * UTF-16 code units, no whitespace, and ECMAScript number and string serialization, so two documents
 * that parse to the same value serialize to the same string.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;

  // Objects with toJSON (Date and the like) serialize as their toJSON value.
  const plain = typeof (value as { toJSON?: unknown }).toJSON === 'function'
    ? (value as { toJSON(): unknown }).toJSON()
    : value;
  if (plain !== value) return sortKeys(plain);

  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  }
  return sorted;
}
