// The work of the cold-start handlers that use no AWS service: publish a post to an outside HTTP API.

export interface PostEvent {
  headers?: Record<string, string>;
  body?: string;
}

export interface PostResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function readText(event: PostEvent): string {
  return (JSON.parse(event.body ?? '{}') as { text?: string }).text ?? '';
}

/** Publishes a post to the posting platform's HTTP API, as a platform client does. */
export async function publishToApi(event: PostEvent): Promise<PostResponse> {
  const response = await fetch(`${process.env.POSTING_API_URL}/posts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: readText(event) }),
  });
  return { statusCode: 201, headers: { 'Content-Type': 'application/json' }, body: await response.text() };
}

/** Powertools options of every bundle: the key and the payload validation of the in-process runs. */
export const POWERTOOLS_CONFIG = {
  eventKeyJmesPath: 'headers."Idempotency-Key"',
  payloadValidationJmesPath: 'body',
};
