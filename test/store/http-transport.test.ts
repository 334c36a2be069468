import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// The AWS SDK's own signer, installed with @aws-sdk/client-dynamodb, serves as the reference.
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/tables.js';
import { DynamoDBRequestError, DynamoDBTimeoutError, HttpTransport } from '../../lib/store/http-transport.js';
import { SigV4Signer } from '../../lib/store/sigv4.js';
import { ConditionalCheckFailedError } from '../../lib/store/transport.js';

/** The hash interface the SDK signer expects, over node:crypto. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session/token+=' };
const signingDate = new Date('2024-05-06T07:08:09.123Z');
const host = 'dynamodb.eu-west-1.amazonaws.com';
const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' };

async function referenceAuthorization(body: string, sessionToken?: string): Promise<string> {
  const signer = new SignatureV4({
    credentials: { ...credentials, sessionToken },
    region: 'eu-west-1',
    service: 'dynamodb',
    sha256: NodeSha256,
    // DynamoDB needs no x-amz-content-sha256 header, and the transport does not send one.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    { method: 'POST', protocol: 'https:', hostname: host, path: '/', headers: { ...headers, host }, body },
    { signingDate },
  );
  return signed.headers.authorization as string;
}

describe('SigV4Signer', () => {
  test('matches the SDK signer', async () => {
    const body = '{"TableName":"idempotency","Key":{"id":{"S":"é 1"}}}';

    const signed = new SigV4Signer().sign({ method: 'POST', host, path: '/', headers, body, region: 'eu-west-1', service: 'dynamodb', credentials, date: signingDate });

    expect(signed.authorization).toBe(await referenceAuthorization(body, credentials.sessionToken));
    expect(signed['x-amz-security-token']).toBe(credentials.sessionToken);
    expect(signed['x-amz-date']).toBe('20240506T070809Z');
  });

  test('matches without a session token', async () => {
    const body = '{}';
    const withoutToken = { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey };

    const signed = new SigV4Signer().sign({ method: 'POST', host, path: '/', headers, body, region: 'eu-west-1', service: 'dynamodb', credentials: withoutToken, date: signingDate });

    expect(signed.authorization).toBe(await referenceAuthorization(body));
    expect(signed['x-amz-security-token']).toBeUndefined();
  });

  test('reused signer follows a new secret', async () => {
    const signer = new SigV4Signer();
    const body = '{}';
    signer.sign({ method: 'POST', host, path: '/', headers, body, region: 'eu-west-1', service: 'dynamodb', credentials: { accessKeyId: 'A', secretAccessKey: 'old' }, date: signingDate });

    const signed = signer.sign({ method: 'POST', host, path: '/', headers, body, region: 'eu-west-1', service: 'dynamodb', credentials, date: signingDate });

    expect(signed.authorization).toBe(await referenceAuthorization(body, credentials.sessionToken));
  });
});

interface StubServer {
  endpoint: string;
  requests: Array<{ headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 that responds to the n-th request with `respond(n)`. */
async function startStub(respond: (attempt: number, response: ServerResponse) => void): Promise<StubServer> {
  const requests: StubServer['requests'] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      respond(requests.length, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
  response.end(JSON.stringify(body));
}

function transportFor(endpoint: string, options: { maxAttempts?: number; attemptTimeoutMs?: number } = {}): HttpTransport {
  return new HttpTransport({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, ...options });
}

describe('HttpTransport', () => {
  let stub: StubServer | undefined;
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
  });

  test('sends a signed JSON request', async () => {
    stub = await startStub((_attempt, response) => answer(response, 200, { Item: { id: { S: 'a' } } }));

    const output = await transportFor(stub.endpoint).send('GetItem', { TableName: 'records', Key: { id: { S: 'a' } } });

    expect(output).toEqual({ Item: { id: { S: 'a' } } });
    const sent = stub.requests[0];
    expect(sent?.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(sent?.headers.host).toBe(new URL(stub.endpoint).host);
    expect(sent?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/);
    expect(JSON.parse(sent?.body ?? '')).toEqual({ TableName: 'records', Key: { id: { S: 'a' } } });
  });

  test('encodes binary values as base64', async () => {
    stub = await startStub((_attempt, response) => answer(response, 200, {}));

    await transportFor(stub.endpoint).send('PutItem', { TableName: 'records', Item: { result: { B: new Uint8Array([1, 2, 3]) } } });

    expect(JSON.parse(stub.requests[0]?.body ?? '')).toEqual({ TableName: 'records', Item: { result: { B: 'AQID' } } });
  });

  test('failed condition carries the item', async () => {
    const item = { id: { S: 'a' }, status: { S: 'COMPLETED' } };
    stub = await startStub((_attempt, response) =>
      answer(response, 400, { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed', Item: item }),
    );

    const sent = transportFor(stub.endpoint).send('PutItem', { TableName: 'records' });

    await expect(sent).rejects.toBeInstanceOf(ConditionalCheckFailedError);
    await expect(sent).rejects.toMatchObject({ item });
    expect(stub.requests).toHaveLength(1);
  });

  test('retries throttling, then succeeds', async () => {
    stub = await startStub((attempt, response) =>
      attempt === 1
        ? answer(response, 400, { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'slow down' })
        : answer(response, 200, {}),
    );

    await expect(transportFor(stub.endpoint).send('PutItem', { TableName: 'records' })).resolves.toEqual({});

    expect(stub.requests).toHaveLength(2);
  });

  test('server errors exhaust the attempts', async () => {
    stub = await startStub((_attempt, response) => answer(response, 500, { __type: 'InternalServerError', message: 'broken' }));

    const sent = transportFor(stub.endpoint, { maxAttempts: 3 }).send('GetItem', { TableName: 'records' });

    await expect(sent).rejects.toBeInstanceOf(DynamoDBRequestError);
    await expect(sent).rejects.toMatchObject({ code: 'InternalServerError', statusCode: 500 });
    expect(stub.requests).toHaveLength(3);
  });

  test('validation error not retried', async () => {
    stub = await startStub((_attempt, response) =>
      answer(response, 400, { __type: 'com.amazon.coral.validate#ValidationException', message: 'bad key' }),
    );

    const sent = transportFor(stub.endpoint).send('GetItem', { TableName: 'records' });

    await expect(sent).rejects.toMatchObject({ code: 'ValidationException', retryable: false, message: 'DynamoDB ValidationException (HTTP 400): bad key' });
    expect(stub.requests).toHaveLength(1);
  });

  test('silent server times out each attempt', async () => {
    stub = await startStub(() => undefined);

    const sent = transportFor(stub.endpoint, { maxAttempts: 2, attemptTimeoutMs: 50 }).send('GetItem', { TableName: 'records' });

    await expect(sent).rejects.toBeInstanceOf(DynamoDBTimeoutError);
    expect(stub.requests).toHaveLength(2);
  });

  test('refused connection is retried and raised', async () => {
    const closed = await startStub(() => undefined);
    await closed.close();

    const sent = transportFor(closed.endpoint, { maxAttempts: 2 }).send('GetItem', { TableName: 'records' });

    await expect(sent).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('missing region raises at once', async () => {
    stub = await startStub((_attempt, response) => answer(response, 200, {}));
    const transport = new HttpTransport({ endpoint: stub.endpoint, credentials: LOCAL_CREDENTIALS });
    const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      await expect(transport.send('GetItem', {})).rejects.toThrow('No AWS region for DynamoDB');
      expect(stub.requests).toHaveLength(0);
    } finally {
      Object.assign(process.env, Object.fromEntries(Object.entries(saved).filter(([, value]) => value !== undefined)));
    }
  });

  test('endpoint without http rejected', async () => {
    const sent = transportFor('ftp://127.0.0.1:2121').send('GetItem', {});

    await expect(sent).rejects.toThrow('DynamoDB endpoint ftp://127.0.0.1:2121/ must use http or https.');
  });

  test('invalid options rejected', () => {
    expect(() => new HttpTransport({ maxAttempts: 0 })).toThrow('maxAttempts must be an integer of at least 1');
    expect(() => new HttpTransport({ attemptTimeoutMs: -1 })).toThrow('attemptTimeoutMs must be a positive number');
  });
});
