import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** DynamoDB operations counted by name, for example `{ PutItem: 1, UpdateItem: 1 }`. */
export type OperationCounts = Record<string, number>;

export interface CountingProxy {
  /** For example `http://127.0.0.1:41235`. Point a client here instead of at dynalite. */
  endpoint: string;
  /**
   * When true, a failed conditional PutItem that asked for `ReturnValuesOnConditionCheckFailure: ALL_OLD`
   * gets the current item in its error body, as DynamoDB returns it and dynalite 4.0 does not.
   */
  emulateAllOld: boolean;
  /** Returns the requests forwarded since the last reset, by operation, and starts a new count. */
  takeCounts(): OperationCounts;
  close(): Promise<void>;
}

interface Forwarded {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Starts an HTTP proxy on 127.0.0.1 in front of a local DynamoDB-compatible server. Every request a
 * client sends is forwarded and counted by its `X-Amz-Target` operation, so the count is the number
 * of real requests the server received, whichever client sent them.
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const targetUrl = new URL(target);
  let counts: OperationCounts = {};

  const forward = (headers: IncomingHttpHeaders, body: Buffer): Promise<Forwarded> =>
    new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: 'POST',
          path: '/',
          headers: { ...headers, host: targetUrl.host, 'content-length': String(body.length) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 500, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  // The emulation reads the current item with a consistent GetItem that is not counted: on DynamoDB the
  // failed PutItem itself carries that item. dynalite accepts the original request's headers because it
  // checks the form of a signature but not its value.
  const addOldItem = async (headers: IncomingHttpHeaders, input: Record<string, unknown>, failure: Forwarded): Promise<Forwarded> => {
    const getInput = { TableName: input.TableName, Key: keyOf(input), ConsistentRead: true };
    const read = await forward({ ...headers, 'x-amz-target': 'DynamoDB_20120810.GetItem' }, Buffer.from(JSON.stringify(getInput)));
    const item = (JSON.parse(read.body.toString('utf8')) as { Item?: unknown }).Item;
    if (!item) return failure;

    const error = JSON.parse(failure.body.toString('utf8')) as Record<string, unknown>;
    const body = Buffer.from(JSON.stringify({ ...error, Item: item }));
    // The CRC32 header describes the original body, so it goes with it.
    const { 'x-amz-crc32': _crc, ...rest } = failure.headers;
    return { status: failure.status, headers: { ...rest, 'content-length': String(body.length) }, body };
  };

  const proxy: CountingProxy = {
    endpoint: '',
    emulateAllOld: false,
    takeCounts() {
      const taken = counts;
      counts = {};
      return taken;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };

  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(incoming.headers['x-amz-target'] ?? 'unknown').split('.').pop() as string;
      counts[operation] = (counts[operation] ?? 0) + 1;

      void (async () => {
        let response = await forward(incoming.headers, body);
        if (proxy.emulateAllOld && operation === 'PutItem' && isConditionFailure(response)) {
          const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
          if (input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD') response = await addOldItem(incoming.headers, input, response);
        }
        outgoing.writeHead(response.status, response.headers);
        outgoing.end(response.body);
      })().catch((error: unknown) => {
        outgoing.writeHead(502, { 'content-type': 'text/plain' });
        outgoing.end(`The benchmark proxy failed to forward the request: ${String(error)}`);
      });
    });
  });
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

function isConditionFailure(response: Forwarded): boolean {
  return response.status === 400 && response.body.includes('ConditionalCheckFailedException');
}

/** Returns the key attributes of a PutItem input. Both idempotency tables are keyed by `id` alone. */
function keyOf(input: Record<string, unknown>): Record<string, unknown> {
  const item = input.Item as Record<string, unknown>;
  return { id: item.id };
}

/** Adds up the counted operations. */
export function totalCalls(counts: OperationCounts): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}
