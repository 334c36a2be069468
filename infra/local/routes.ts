import type { Handler } from 'aws-lambda';
import { localQueueRoute } from './local-queue.js';

/** One API route the local runner serves, as API Gateway would route it to a Lambda function. */
export interface Route {
  method: string;
  /** Resource path with `{name}` path parameters, as in API Gateway, for example `/v1/posts/{id}`. */
  resource: string;
  /** True when API Gateway requires an API key on this method. */
  apiKeyRequired: boolean;
  /** Loads the function's handler. Loading waits for the first request, after the environment is set. */
  load: () => Promise<Handler>;
}

export const ROUTES: readonly Route[] = [
  {
    method: 'POST',
    resource: '/v1/posts',
    apiKeyRequired: true,
    load: async () => (await import('../../functions/create-post.js')).handler,
  },
  {
    method: 'GET',
    resource: '/v1/posts',
    apiKeyRequired: true,
    load: async () => (await import('../../functions/list-posts.js')).handler,
  },
  {
    method: 'GET',
    resource: '/v1/posts/{id}',
    apiKeyRequired: true,
    load: async () => (await import('../../functions/get-post.js')).handler,
  },
  {
    method: 'POST',
    resource: '/v1/webhooks/{source}',
    // Webhook senders sign each delivery with the source's shared secret instead of sending an API key.
    apiKeyRequired: false,
    load: async () => (await import('../../functions/webhook.js')).handler,
  },
  {
    // Development only: sends one SQS batch to the queue consumer and returns its batch response.
    method: 'POST',
    resource: '/_local/queue',
    apiKeyRequired: false,
    load: async () => localQueueRoute((await import('../../functions/publish-from-queue.js')).handler),
  },
];

/** A route matched against a request path, with its decoded path parameters. */
export interface RouteMatch {
  route: Route;
  pathParameters: Record<string, string> | null;
}

/**
 * Finds the route for a method and path. Returns `'method_not_allowed'` when the path exists with
 * other methods, and undefined when no route has the path.
 */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch | 'method_not_allowed' | undefined {
  let pathFound = false;
  for (const route of routes) {
    const pathParameters = matchResource(route.resource, path);
    if (pathParameters === undefined) continue;
    pathFound = true;
    if (route.method === method) return { route, pathParameters };
  }
  return pathFound ? 'method_not_allowed' : undefined;
}

/** Returns the allowed methods of a path, for the `Allow` header. */
export function allowedMethods(routes: readonly Route[], path: string): string[] {
  return routes.filter((route) => matchResource(route.resource, path) !== undefined).map((route) => route.method);
}

function matchResource(resource: string, path: string): Record<string, string> | null | undefined {
  const resourceParts = resource.split('/');
  const pathParts = path.split('/');
  if (resourceParts.length !== pathParts.length) return undefined;

  const parameters: Record<string, string> = {};
  for (const [index, part] of resourceParts.entries()) {
    const value = pathParts[index] as string;
    const name = /^\{(.+)\}$/.exec(part)?.[1];
    if (name) {
      if (value === '') return undefined;
      parameters[name] = safeDecode(value);
    } else if (part !== value) {
      return undefined;
    }
  }
  return Object.keys(parameters).length > 0 ? parameters : null;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
