import { IdempotencyKeyInvalidError } from './errors.js';

/** Maximum key length, in characters. */
export const MAX_KEY_LENGTH = 255;

/**
 * Parses the values of the key header into one key, or returns undefined when the header is absent.
 *
 * Each value is a comma-separated list (HTTP folds repeated headers that way, and HTTP APIs deliver
 * them folded) whose members are bare tokens or RFC 8941 strings (`"abc"`, meaning `abc`). Every member
 * must name the same key.
 */
export function parseIdempotencyKey(values: readonly string[], headerName: string): string | undefined {
  if (values.length === 0) return undefined;

  const keys = new Set<string>();
  for (const value of values) {
    for (const member of splitListMembers(value, headerName)) {
      keys.add(unquoteMember(member, headerName));
    }
  }

  if (keys.size === 0) {
    throw new IdempotencyKeyInvalidError(`The ${headerName} header is empty. Send a unique value, such as a UUID.`);
  }
  if (keys.size > 1) {
    throw new IdempotencyKeyInvalidError(
      `The request carries ${keys.size} different ${headerName} values. Send exactly one key per request.`,
    );
  }
  const key = keys.values().next().value as string;
  validateKey(key, headerName);
  return key;
}

/** Checks a key from any source against the length and character rules. */
export function validateKey(key: string, source: string): void {
  if (key.length === 0) {
    throw new IdempotencyKeyInvalidError(`The ${source} value is empty. Send a unique value, such as a UUID.`);
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw new IdempotencyKeyInvalidError(
      `The ${source} value is ${key.length} characters long; the maximum is ${MAX_KEY_LENGTH}.`,
    );
  }
  const invalid = [...key].find((char) => char < '!' || char > '~');
  if (invalid !== undefined) {
    throw new IdempotencyKeyInvalidError(
      `The ${source} value contains the character U+${codePoint(invalid)}; use visible ASCII characters (U+0021 to U+007E) only.`,
    );
  }
}

/** Splits a header value on commas that are outside quoted strings, trimming spaces and tabs. */
function splitListMembers(value: string, headerName: string): string[] {
  const members: string[] = [];
  let current = '';
  let quoted = false;

  for (let i = 0; i < value.length; i++) {
    const char = value[i] as string;
    if (quoted && char === '\\') {
      current += char + (value[i + 1] ?? '');
      i++;
    } else if (char === '"') {
      quoted = !quoted;
      current += char;
    } else if (char === ',' && !quoted) {
      members.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (quoted) {
    throw new IdempotencyKeyInvalidError(`The ${headerName} header has an unterminated quoted string.`);
  }
  members.push(current);

  // An empty header yields one empty member; it is reported as an empty key, not skipped.
  const trimmed = members.map((member) => member.replace(/^[ \t]+|[ \t]+$/g, ''));
  return trimmed.length === 1 ? trimmed : trimmed.filter((member) => member !== '');
}

/** Returns the key a list member names: an RFC 8941 string unquoted, or a bare token as it is. */
function unquoteMember(member: string, headerName: string): string {
  if (!member.startsWith('"')) return member;

  if (member.length < 2 || !member.endsWith('"')) {
    throw new IdempotencyKeyInvalidError(
      `The ${headerName} value ${member} has text after its closing quote; send a bare key or one quoted string.`,
    );
  }
  let key = '';
  for (let i = 1; i < member.length - 1; i++) {
    const char = member[i] as string;
    if (char === '\\') {
      const escaped = member[i + 1];
      if (escaped !== '"' && escaped !== '\\') {
        throw new IdempotencyKeyInvalidError(
          `The ${headerName} value has an invalid escape; a quoted key may only escape " and \\.`,
        );
      }
      key += escaped;
      i++;
    } else if (char === '"') {
      throw new IdempotencyKeyInvalidError(
        `The ${headerName} value ${member} has text after its closing quote; send a bare key or one quoted string.`,
      );
    } else {
      key += char;
    }
  }
  return key;
}

function codePoint(char: string): string {
  return (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}
