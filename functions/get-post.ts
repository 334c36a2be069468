import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { callerId, forbidden, json, problem } from './http.js';
import { findPost } from './posts/posts-repository.js';

/** GET /v1/posts/{id}: returns one of the caller's posts, or 404. */
async function getPost(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const owner = callerId(event);
  if (!owner) return forbidden();

  const id = event.pathParameters?.id;
  const post = id ? await findPost(owner, id) : undefined;
  if (!post) return problem(404, 'not_found', 'Post not found', `No post with id ${JSON.stringify(id ?? '')} belongs to this API key.`);
  return json(200, post);
}

export const handler = middy(getPost);
