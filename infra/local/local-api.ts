import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyResult, Handler } from 'aws-lambda';
import { POSTS_TABLE_VARIABLE } from '../../functions/posts/posts-table.js';
import { TABLE_NAME_VARIABLE } from '../../lib/record.js';
import { startDynalite, type DynaliteServer } from './dynalite-server.js';
import { lambdaContext, toProxyEvent } from './proxy-event.js';
import { allowedMethods, matchRoute, ROUTES, type Route } from './routes.js';
import { createIdempotencyTable, createPostsTable, LOCAL_CREDENTIALS, LOCAL_REGION, localClient } from './tables.js';

/** API Gateway rejects request bodies over 10 MB; the runner does the same. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface LocalApiOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 3000. */
  port?: number;
  /** Folder that keeps the tables across restarts. Default: none, the data lives in memory. */
  dataPath?: string;
  /** Receives one line per request and every error. Default: console. */
  log?: (line: string) => void;
}

export interface LocalApi {
  url: string;
  close(): Promise<void>;
}

export const LOCAL_TABLES = { idempotency: 'idempotency', posts: 'posts' } as const;

/**
 * Serves the posting API's Lambda handlers on 127.0.0.1, backed by an in-process dynalite. Each HTTP
 * request becomes an API Gateway REST API proxy event, and `x-api-key` becomes the event's API key.
 * The handlers read their configuration from the environment, which this function sets.
 */
export async function startLocalApi(options: LocalApiOptions = {}): Promise<LocalApi> {
  const log = options.log ?? ((line: string) => console.log(line));
  const handlers = new Map<Route, Promise<Handler>>();
  let tablesReady: Promise<void> = new Promise(() => undefined);
  const server = createServer((request, response) => {
    tablesReady
      .then(() => serve(request, response, handlers, log))
      .catch((error: unknown) => {
        log(`error: ${(error as Error).stack ?? String(error)}`);
        if (!response.headersSent) writeJson(response, 502, { message: 'Internal server error' });
        else response.destroy();
      });
  });

  // The port is taken first, so a busy port fails before the data folder is opened.
  await listen(server, options.port ?? 3000);
  const { port } = server.address() as AddressInfo;

  let database: DynaliteServer;
  try {
    database = await startDynalite({ path: options.dataPath });
    configureEnvironment(database.endpoint);
    tablesReady = createTables(database.endpoint);
    await tablesReady;
  } catch (error) {
    server.close();
    throw error;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await database.close();
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') return reject(error);
      reject(new Error(`Port ${port} on 127.0.0.1 is in use. Stop the program that uses it, or set PORT to a free port.`));
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

async function createTables(endpoint: string): Promise<void> {
  const client = localClient(endpoint);
  try {
    await createIdempotencyTable(client, LOCAL_TABLES.idempotency);
    await createPostsTable(client, LOCAL_TABLES.posts);
  } finally {
    client.destroy();
  }
}

function configureEnvironment(endpoint: string): void {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION = LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env[TABLE_NAME_VARIABLE] = LOCAL_TABLES.idempotency;
  process.env[POSTS_TABLE_VARIABLE] = LOCAL_TABLES.posts;
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  handlers: Map<Route, Promise<Handler>>,
  log: (line: string) => void,
): Promise<void> {
  const startedAt = performance.now();
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const method = request.method ?? 'GET';
  const finish = (status: number, note = '') => {
    log(`${method} ${url.pathname} ${status}${note} ${Math.round(performance.now() - startedAt)} ms`);
  };

  const match = matchRoute(ROUTES, method, url.pathname);
  if (match === undefined) {
    writeJson(response, 404, { message: `No route for ${url.pathname}` });
    return finish(404);
  }
  if (match === 'method_not_allowed') {
    writeJson(response, 405, { message: `${method} is not allowed on ${url.pathname}` }, { Allow: allowedMethods(ROUTES, url.pathname).join(', ') });
    return finish(405);
  }
  if (match.route.apiKeyRequired && typeof request.headers['x-api-key'] !== 'string') {
    // API Gateway rejects a request without a required API key with 403 and this exact body.
    writeJson(response, 403, { message: 'Forbidden' });
    return finish(403);
  }

  const body = await readBody(request);
  if (body === undefined) {
    writeJson(response, 413, { message: `Request body over ${MAX_BODY_BYTES} bytes, the API Gateway limit` });
    return finish(413);
  }

  const functionName = `${method.toLowerCase()}${match.route.resource.replace(/[^a-z0-9]+/gi, '-')}`;
  let handler = handlers.get(match.route);
  if (!handler) {
    handler = match.route.load();
    handlers.set(match.route, handler);
  }
  const event = toProxyEvent(request, url, body, match);

  let result: APIGatewayProxyResult;
  try {
    result = (await (await handler)(event, lambdaContext(functionName), () => undefined)) as APIGatewayProxyResult;
  } catch (error) {
    // API Gateway turns a function error into this 502 response.
    log(`error: ${functionName} failed: ${(error as Error).stack ?? String(error)}`);
    writeJson(response, 502, { message: 'Internal server error' });
    return finish(502);
  }

  writeResult(response, result);
  const replayed = headerValue(result, 'idempotent-replayed') === 'true';
  finish(result.statusCode, replayed ? ' (replayed)' : '');
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function writeResult(response: ServerResponse, result: APIGatewayProxyResult): void {
  if (typeof result?.statusCode !== 'number') {
    writeJson(response, 502, { message: 'Internal server error' });
    return;
  }
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    response.setHeader(name, values.map(String));
  }
  response.statusCode = result.statusCode;
  const body = result.body ?? '';
  response.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

function writeJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function headerValue(result: APIGatewayProxyResult, name: string): string | undefined {
  const entry = Object.entries(result.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry === undefined ? undefined : String(entry[1]);
}
