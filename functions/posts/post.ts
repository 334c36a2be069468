import { randomBytes } from 'node:crypto';

/** A published post as the API returns it. */
export interface Post {
  id: string;
  text: string;
  /** ISO 8601 timestamp. */
  createdAt: string;
}

export const MAX_TEXT_LENGTH = 2000;

/** A post body the API cannot accept; the message names the field and the fix. */
export class InvalidPostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPostError';
  }
}

/**
 * Checks a post's text: a string of 1 to 2,000 characters (counted as Unicode code points). `field` names
 * the text in error messages.
 */
export function validateText(text: unknown, field = 'text'): string {
  if (typeof text !== 'string') {
    throw new InvalidPostError(`"${field}" must be a string of 1 to ${MAX_TEXT_LENGTH} characters; received ${text === undefined ? 'no text' : typeof text}.`);
  }
  const length = [...text].length;
  if (length === 0 || length > MAX_TEXT_LENGTH) {
    throw new InvalidPostError(`"${field}" must be 1 to ${MAX_TEXT_LENGTH} characters long; received ${length}.`);
  }
  return text;
}

/**
 * Creates a post id in the UUID version 7 layout: a 48-bit millisecond timestamp followed by random
 * bits, so ids sort by creation time and a Query lists posts oldest first.
 */
export function newPostId(now: number): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
