import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { callerId, forbidden, json, problem } from './http.js';
import { listPosts } from './posts/posts-repository.js';
import { POST_ID_ATTRIBUTE, POST_OWNER_ATTRIBUTE } from './posts/posts-table.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

/**
 * GET /v1/posts: lists the caller's posts, oldest first. `limit` (1 to 100, default 50) sets the page
 * size; a response with `nextToken` has more posts, fetched by passing it back as `nextToken`.
 */
async function listCallerPosts(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const owner = callerId(event);
  if (!owner) return forbidden();

  const query = event.queryStringParameters ?? {};
  const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return invalidRequest(`"limit" must be an integer from 1 to ${MAX_LIMIT}; received ${JSON.stringify(query.limit)}.`);
  }

  let startKey: Record<string, unknown> | undefined;
  if (query.nextToken !== undefined) {
    startKey = decodeToken(query.nextToken, owner);
    if (!startKey) return invalidRequest('"nextToken" is not a token this API returned; pass the nextToken of the previous page.');
  }

  const page = await listPosts(owner, limit, startKey);
  const body: { posts: unknown[]; nextToken?: string } = { posts: page.posts };
  if (page.lastKey) body.nextToken = Buffer.from(JSON.stringify(page.lastKey)).toString('base64url');
  return json(200, body);
}

/** Decodes a page token, accepting only a key of the caller's own posts. */
function decodeToken(token: string, owner: string): Record<string, unknown> | undefined {
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    const valid = typeof key === 'object' && key !== null && key[POST_OWNER_ATTRIBUTE] === owner && typeof key[POST_ID_ATTRIBUTE] === 'string';
    return valid && Object.keys(key).length === 2 ? key : undefined;
  } catch {
    return undefined;
  }
}

function invalidRequest(detail: string): APIGatewayProxyResult {
  return problem(400, 'invalid_request', 'Invalid request', detail);
}

export const handler = middy(listCallerPosts);
