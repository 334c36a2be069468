import { createHash } from 'node:crypto';
import middy from '@middy/core';
import { idempotent, type IdempotentOptions } from '../../lib/index.js';
import { lambdaContext, memoryLogger, restEvent } from '../support/events.js';
import { createdResponse, readProblem, type TestResponse } from '../support/responses.js';
import { useTestDatabase } from '../support/store.js';

const database = useTestDatabase();

async function setup(options: IdempotentOptions = {}) {
  const store = await database.newStore();
  const handler = jest.fn(async (): Promise<TestResponse> => createdResponse());
  const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger(), ...options }));
  return { store, handler, lambda };
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('record id', () => {
  test('is a SHA-256 hex digest', async () => {
    const { store, lambda } = await setup();

    await lambda(restEvent({ headers: { 'Idempotency-Key': 'key-1' } }), lambdaContext());

    const [item] = await database.items(store);
    expect(item?.id?.S).toMatch(/^[0-9a-f]{64}$/);
  });

  test('table stores no key or API key', async () => {
    const { store, lambda } = await setup();
    const event = restEvent({ headers: { 'Idempotency-Key': 'key-secret-7f3a' }, apiKeyId: null, apiKey: 'api-key-secret-9c1d' });

    await lambda(event, lambdaContext());

    const stored = JSON.stringify(await database.items(store));
    expect(stored).not.toContain('key-secret-7f3a');
    expect(stored).not.toContain('api-key-secret-9c1d');
  });

  test('two API key ids stay independent', async () => {
    const { store, handler, lambda } = await setup();

    await lambda(restEvent({ headers: { 'Idempotency-Key': 'key-1' }, apiKeyId: 'tenant-a' }), lambdaContext());
    await lambda(restEvent({ headers: { 'Idempotency-Key': 'key-1' }, apiKeyId: 'tenant-b' }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(2);
    expect(await database.items(store)).toHaveLength(2);
  });

  test('two API keys stay independent', async () => {
    const { handler, lambda } = await setup();

    await lambda(restEvent({ headers: { 'Idempotency-Key': 'key-1' }, apiKeyId: null, apiKey: 'secret-a' }), lambdaContext());
    await lambda(restEvent({ headers: { 'Idempotency-Key': 'key-1' }, apiKeyId: null, apiKey: 'secret-b' }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(2);
  });

  test('two paths stay independent', async () => {
    const { handler, lambda } = await setup();

    await lambda(restEvent({ path: '/v1/posts', headers: { 'Idempotency-Key': 'key-1' } }), lambdaContext());
    await lambda(restEvent({ path: '/v1/drafts', headers: { 'Idempotency-Key': 'key-1' } }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(2);
  });

  test('two methods stay independent', async () => {
    const { handler, lambda } = await setup();

    await lambda(restEvent({ method: 'POST', headers: { 'Idempotency-Key': 'key-1' } }), lambdaContext());
    await lambda(restEvent({ method: 'PUT', headers: { 'Idempotency-Key': 'key-1' } }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(2);
  });

  test('shifted path-key boundary stays independent', async () => {
    const { handler, lambda } = await setup();

    // Both requests concatenate to "/v1/posts1-2", so only the length prefixes tell them apart.
    await lambda(restEvent({ path: '/v1/posts', headers: { 'Idempotency-Key': '1-2' } }), lambdaContext());
    await lambda(restEvent({ path: '/v1/posts1', headers: { 'Idempotency-Key': '-2' } }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(2);
  });

  test('shifted scope-method boundary stays independent', async () => {
    const { handler, lambda } = await setup({ scope: (event) => event.requestContext.requestId });
    const event = (scope: string, method: string) => {
      const built = restEvent({ method, headers: { 'Idempotency-Key': 'key-1' } });
      (built.requestContext as { requestId: string }).requestId = scope;
      return built;
    };

    // Both concatenate to "tenantPOST".
    await lambda(event('tenantP', 'OST'), lambdaContext());
    await lambda(event('tenant', 'POST'), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(2);
  });
});

describe('fingerprint', () => {
  async function storedFingerprint(event: Record<string, unknown>): Promise<string | undefined> {
    const { store, lambda } = await setup();
    await lambda(event, lambdaContext());
    const [item] = await database.items(store);
    return item?.fingerprint?.S;
  }

  test('hashes exact text bytes', async () => {
    const body = 'hello,  world\n';
    const event = restEvent({ headers: { 'Idempotency-Key': 'key-1', 'Content-Type': 'text/plain' }, body });

    expect(await storedFingerprint(event)).toBe(sha256(body));
  });

  test('hashes decoded base64 bytes', async () => {
    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    const event = restEvent({
      headers: { 'Idempotency-Key': 'key-1', 'Content-Type': 'application/octet-stream' },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });

    expect(await storedFingerprint(event)).toBe(sha256(bytes));
  });

  test('hashes empty body as no bytes', async () => {
    const event = restEvent({ method: 'DELETE', headers: { 'Idempotency-Key': 'key-1' } });
    event.body = null;

    expect(await storedFingerprint(event)).toBe(sha256(''));
  });

  test('hashes JSON in RFC 8785 form', async () => {
    const body = '{ "b": 1.0, "a": [true, "x"], "10": null, "9": {"z": 1e2, "y": "\\u00e9"} }';
    const event = restEvent({ headers: { 'Idempotency-Key': 'key-1', 'Content-Type': 'application/json; charset=utf-8' }, body });

    // RFC 8785 sorts member names by UTF-16 code units, so "10" comes before "9".
    expect(await storedFingerprint(event)).toBe(sha256('{"10":null,"9":{"y":"é","z":100},"a":[true,"x"],"b":1}'));
  });

  test('hashes +json media type canonically', async () => {
    const body = '{ "b": 2, "a": 1 }';
    const event = restEvent({ headers: { 'Idempotency-Key': 'key-1', 'Content-Type': 'application/merge-patch+json' }, body });

    expect(await storedFingerprint(event)).toBe(sha256('{"a":1,"b":2}'));
  });

  test('hashes invalid JSON as exact bytes', async () => {
    const event = restEvent({ headers: { 'Idempotency-Key': 'key-1' }, body: '{"text": ' });

    expect(await storedFingerprint(event)).toBe(sha256('{"text": '));
  });

  test('base64 and plain bodies match', async () => {
    const { handler, lambda } = await setup();
    const headers = { 'Idempotency-Key': 'key-1', 'Content-Type': 'text/plain' };

    await lambda(restEvent({ headers, body: 'hello' }), lambdaContext());
    const replay = await lambda(restEvent({ headers, body: Buffer.from('hello').toString('base64'), isBase64Encoded: true }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
  });

  test('text whitespace change conflicts', async () => {
    const { handler, lambda } = await setup();
    const headers = { 'Idempotency-Key': 'key-1', 'Content-Type': 'text/plain' };

    await lambda(restEvent({ headers, body: 'hello world' }), lambdaContext());
    const conflict = await lambda(restEvent({ headers, body: 'hello  world' }), lambdaContext());

    expect(readProblem(conflict).code).toBe('idempotency_conflict');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('JSON key order and whitespace replay', async () => {
    const { handler, lambda } = await setup();
    const headers = { 'Idempotency-Key': 'key-1' };

    await lambda(restEvent({ headers, body: '{"title":"Hi","tags":["a","b"]}' }), lambdaContext());
    const replay = await lambda(restEvent({ headers, body: '{ "tags": [ "a", "b" ],\n  "title": "Hi" }' }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
  });

  test('JSON value change conflicts', async () => {
    const { handler, lambda } = await setup();
    const headers = { 'Idempotency-Key': 'key-1' };

    await lambda(restEvent({ headers, body: '{"tags":["a","b"]}' }), lambdaContext());
    const conflict = await lambda(restEvent({ headers, body: '{"tags":["b","a"]}' }), lambdaContext());

    expect(conflict.statusCode).toBe(422);
    expect(handler).toHaveBeenCalledTimes(1);
  });
});
