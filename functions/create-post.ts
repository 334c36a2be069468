import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { idempotent } from '../lib/index.js';
import { bodyText, callerId, clientPath, forbidden, json, problem } from './http.js';
import { InvalidPostError } from './posts/post.js';
import { publishPost } from './posts/publish-post.js';

/** POST /v1/posts: publishes `{"text": "..."}` as a post owned by the caller's API key. */
async function createPost(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const owner = callerId(event);
  if (!owner) return forbidden();

  let input: unknown;
  try {
    input = JSON.parse(bodyText(event));
  } catch {
    return invalidRequest('The body is not valid JSON. Send {"text": "..."} with Content-Type: application/json.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return invalidRequest('The body must be a JSON object such as {"text": "..."}.');
  }

  try {
    const post = await publishPost({ owner, text: (input as { text?: unknown }).text });
    return json(201, post, { Location: `${clientPath(event)}/${post.id}` });
  } catch (error) {
    if (error instanceof InvalidPostError) return invalidRequest(error.message);
    throw error;
  }
}

function invalidRequest(detail: string): APIGatewayProxyResult {
  return problem(400, 'invalid_request', 'Invalid request', detail);
}

/**
 * Saves every response below 500 except a 400: a rejected body published nothing, so the client may fix
 * it and resend under the same key instead of getting the 400 replayed.
 */
function shouldSave(response: unknown): boolean {
  const status = (response as APIGatewayProxyResult).statusCode;
  return status < 500 && status !== 400;
}

/** A retry with the same Idempotency-Key replays the first response instead of publishing again. */
export const handler = middy(createPost).use(idempotent({ shouldSave }));
