import middy from '@middy/core';
import { idempotent, type IdempotentOptions } from '../../lib/index.js';
import { albEvent, functionUrlEvent, httpApiEvent, lambdaContext, memoryLogger, restEvent, type RequestInit } from '../support/events.js';
import { createdResponse, readProblem, type TestResponse } from '../support/responses.js';
import { useTestDatabase } from '../support/store.js';

const database = useTestDatabase();

async function setup(options: IdempotentOptions = {}) {
  const store = await database.newStore();
  const handler = jest.fn(async (): Promise<TestResponse> => createdResponse());
  const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger(), ...options }));
  return { store, handler, lambda };
}

describe('event shapes', () => {
  const shapes: Array<[string, (init: RequestInit) => Record<string, unknown>]> = [
    ['REST API', restEvent],
    ['HTTP API', httpApiEvent],
    ['function URL', functionUrlEvent],
    ['ALB', (init) => albEvent(init)],
    ['ALB multi-value', (init) => albEvent(init, true)],
  ];

  test.each(shapes)('%s event replays', async (_shape, build) => {
    const { handler, lambda } = await setup();
    const event = () => build({ headers: { 'Idempotency-Key': 'key-1' } });

    const first = await lambda(event(), lambdaContext());
    const second = await lambda(event(), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(second.body).toBe(first.body);
  });

  test.each(shapes)('%s event rejects invalid key', async (_shape, build) => {
    const { handler, lambda } = await setup();

    const response = await lambda(build({ headers: { 'Idempotency-Key': 'clé' } }), lambdaContext());

    expect(response.statusCode).toBe(400);
    expect(handler).not.toHaveBeenCalled();
  });

  test('ALB multi-value replay uses multiValueHeaders', async () => {
    const store = await database.newStore();
    const handler = jest.fn(async (): Promise<TestResponse> => ({ statusCode: 201, multiValueHeaders: { 'Content-Type': ['application/json'] }, body: '{}' }));
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() }));
    const event = () => albEvent({ headers: { 'Idempotency-Key': 'key-1' } }, true);

    await lambda(event(), lambdaContext());
    const replay = await lambda(event(), lambdaContext());

    expect(replay.headers).toBeUndefined();
    expect(replay.multiValueHeaders).toEqual({ 'Content-Type': ['application/json'], 'Idempotent-Replayed': ['true'] });
  });

  test('ALB multi-value problem uses multiValueHeaders', async () => {
    const { lambda } = await setup();

    const response = await lambda(albEvent({ headers: { 'Idempotency-Key': '' } }, true), lambdaContext());

    expect(response.headers).toBeUndefined();
    expect(response.multiValueHeaders).toEqual({ 'Content-Type': ['application/problem+json'] });
  });
});

describe('key header', () => {
  test('name matches case-insensitively', async () => {
    const { handler, lambda } = await setup();

    await lambda(restEvent({ headers: { 'IDEMPOTENCY-KEY': 'key-1' } }), lambdaContext());
    const replay = await lambda(restEvent({ headers: { 'idempotency-key': 'key-1' } }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
  });

  test('custom header name is read', async () => {
    const { handler, lambda } = await setup({ headerName: 'X-Request-Key' });

    await lambda(restEvent({ headers: { 'x-request-key': 'key-1' } }), lambdaContext());
    await lambda(restEvent({ headers: { 'X-Request-Key': 'key-1' } }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('quoted string names bare key', async () => {
    const { handler, lambda } = await setup();

    await lambda(restEvent({ headers: { 'Idempotency-Key': 'key-1' } }), lambdaContext());
    const replay = await lambda(restEvent({ headers: { 'Idempotency-Key': '"key-1"' } }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
  });

  test('quoted string unescapes backslash', async () => {
    const { handler, lambda } = await setup();

    await lambda(restEvent({ headers: { 'Idempotency-Key': 'a\\b' } }), lambdaContext());
    const replay = await lambda(restEvent({ headers: { 'Idempotency-Key': '"a\\\\b"' } }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
  });

  test('255-character key is accepted', async () => {
    const { handler, lambda } = await setup();

    const response = await lambda(restEvent({ headers: { 'Idempotency-Key': 'k'.repeat(255) } }), lambdaContext());

    expect(response.statusCode).toBe(201);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('empty multiValueHeaders falls back to headers', async () => {
    const { handler, lambda } = await setup();
    const event = () => ({ ...restEvent({ headers: { 'Idempotency-Key': 'key-1' } }), multiValueHeaders: {} });

    await lambda(event(), lambdaContext());
    const replay = await lambda(event(), lambdaContext());

    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('same key sent twice is one key', async () => {
    const { handler, lambda } = await setup();
    const event = restEvent();
    event.multiValueHeaders = { 'Content-Type': ['application/json'], 'Idempotency-Key': ['key-1', 'key-1'] };

    const response = await lambda(event, lambdaContext());

    expect(response.statusCode).toBe(201);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  const invalidKeys: Array<[string, string]> = [
    ['empty key', ''],
    ['blank key', '   '],
    ['empty quoted key', '""'],
    ['256-character key', 'k'.repeat(256)],
    ['non-ASCII key', 'clé'],
    ['key with a space', 'key 1'],
    ['quoted key with a space', '"key 1"'],
    ['key with a control character', 'key\u00011'],
    ['two comma-separated keys', 'key-1, key-2'],
    ['unterminated quoted key', '"key-1'],
    ['text after a quoted key', '"key-1"x'],
    ['invalid escape in quoted key', '"key\\1"'],
  ];

  test.each(invalidKeys)('rejects %s', async (_case, key) => {
    const { store, handler, lambda } = await setup();

    const response = await lambda(restEvent({ headers: { 'Idempotency-Key': key } }), lambdaContext());

    expect(response.statusCode).toBe(400);
    expect(readProblem(response).code).toBe('idempotency_key_invalid');
    expect(handler).not.toHaveBeenCalled();
    expect(await database.items(store)).toEqual([]);
  });

  test('repeated header with two keys is rejected', async () => {
    const { handler, lambda } = await setup();
    const event = restEvent({ headers: { 'Idempotency-Key': 'key-2' } });
    event.multiValueHeaders = { 'Content-Type': ['application/json'], 'Idempotency-Key': ['key-1', 'key-2'] };

    const response = await lambda(event, lambdaContext());

    expect(readProblem(response).code).toBe('idempotency_key_invalid');
    expect(handler).not.toHaveBeenCalled();
  });

  test('HTTP API folded keys are rejected', async () => {
    const { handler, lambda } = await setup();

    const response = await lambda(httpApiEvent({ headers: { 'idempotency-key': 'key-1,key-2' } }), lambdaContext());

    expect(readProblem(response).code).toBe('idempotency_key_invalid');
    expect(handler).not.toHaveBeenCalled();
  });

  test('two header spellings are rejected', async () => {
    const { handler, lambda } = await setup();
    const event = albEvent();
    event.headers = { 'content-type': 'application/json', 'idempotency-key': 'key-1', 'Idempotency-Key': 'key-2' };

    const response = await lambda(event, lambdaContext());

    expect(readProblem(response).code).toBe('idempotency_key_invalid');
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('missing key', () => {
  test('optional key runs handler, stores nothing', async () => {
    const { store, handler, lambda } = await setup();

    await lambda(restEvent(), lambdaContext());
    await lambda(restEvent(), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(2);
    expect(await database.items(store)).toEqual([]);
  });

  test('required key answers 400', async () => {
    const { handler, lambda } = await setup({ required: true });

    const response = await lambda(restEvent(), lambdaContext());

    expect(response.statusCode).toBe(400);
    expect(readProblem(response).code).toBe('idempotency_key_missing');
    expect(handler).not.toHaveBeenCalled();
  });
});
