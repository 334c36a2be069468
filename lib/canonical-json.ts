/**
 * Serializes a JSON value in the JSON Canonicalization Scheme (RFC 8785) form. Object members are sorted
 * by UTF-16 code units, there is no whitespace, and numbers and strings use ECMAScript serialization.
 * Two documents that parse to the same value therefore serialize to the same string.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value) ?? 'null';
}

/** Returns undefined for values JSON leaves out, as `JSON.stringify` does: undefined, functions, symbols. */
function serialize(input: unknown): string | undefined {
  // Objects with toJSON (Date and the like) serialize as their toJSON value.
  const value = hasToJson(input) ? input.toJSON() : input;

  if (Array.isArray(value)) {
    return `[${value.map((item) => serialize(item) ?? 'null').join(',')}]`;
  }
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);

  // Members are joined here rather than by JSON.stringify, because JavaScript objects list integer-like
  // names ("9", "10") first in numeric order, which is not the code-unit order RFC 8785 requires.
  const members: string[] = [];
  for (const name of Object.keys(value).sort()) {
    const member = serialize((value as Record<string, unknown>)[name]);
    if (member !== undefined) members.push(`${JSON.stringify(name)}:${member}`);
  }
  return `{${members.join(',')}}`;
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}
