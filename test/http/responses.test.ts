import { randomBytes } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { idempotent, type IdempotentOptions } from '../../lib/index.js';
import { albEvent, lambdaContext, memoryLogger, restEvent } from '../support/events.js';
import { storeErrors } from '../support/faults.js';
import { pausedHandler } from '../support/handlers.js';
import { readProblem, type TestResponse } from '../support/responses.js';
import { useTestDatabase } from '../support/store.js';

const database = useTestDatabase();

const post = (body = '{"title":"Hi"}') => restEvent({ headers: { 'Idempotency-Key': 'key-1' }, body });

/** Sends two requests with one key to a handler that returns `response`; returns both responses. */
async function replayOf(response: unknown, options: IdempotentOptions = {}) {
  const store = await database.newStore();
  const handler = jest.fn(async () => structuredClone(response) as TestResponse);
  const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger(), ...options }));
  const first = await lambda(post(), lambdaContext());
  const replay = await lambda(post(), lambdaContext());
  return { store, handler, first, replay };
}

describe('replay', () => {
  test('keeps status, body and encoding', async () => {
    const body = Buffer.from([0, 159, 146, 150]).toString('base64');
    const response = { statusCode: 202, headers: { 'Content-Type': 'application/octet-stream' }, body, isBase64Encoded: true };

    const { replay } = await replayOf(response);

    expect(replay.statusCode).toBe(202);
    expect(replay.body).toBe(body);
    expect(replay.isBase64Encoded).toBe(true);
  });

  test('keeps allow-listed headers', async () => {
    const headers = { 'Content-Type': 'application/json', Location: '/v1/posts/1', ETag: '"v1"', 'Cache-Control': 'no-store' };

    const { replay } = await replayOf({ statusCode: 201, headers, body: '{}' });

    expect(replay.headers).toEqual({ ...headers, 'Idempotent-Replayed': 'true' });
  });

  test('drops cookies, dates and request ids', async () => {
    const headers = {
      'Content-Type': 'application/json',
      'Set-Cookie': 'session=abc',
      Date: 'Wed, 01 Jan 2025 12:00:00 GMT',
      'X-Amzn-RequestId': 'request-1',
      'X-Request-Id': 'request-1',
    };

    const { replay } = await replayOf({ statusCode: 201, headers, cookies: ['session=abc'], body: '{}' });

    expect(replay.headers).toEqual({ 'Content-Type': 'application/json', 'Idempotent-Replayed': 'true' });
    expect(replay.cookies).toBeUndefined();
  });

  test('marks only the replay', async () => {
    const { first, replay } = await replayOf({ statusCode: 201, body: '{}' });

    expect(first.headers?.['Idempotent-Replayed']).toBeUndefined();
    expect(replay.headers).toEqual({ 'Idempotent-Replayed': 'true' });
  });

  test('replayHeaders adds a header', async () => {
    const headers = { 'X-Post-Version': '3', 'X-Trace': 'abc' };

    const { replay } = await replayOf({ statusCode: 201, headers, body: '{}' }, { replayHeaders: ['x-post-version'] });

    expect(replay.headers).toEqual({ 'X-Post-Version': '3', 'Idempotent-Replayed': 'true' });
  });

  test('filters multi-value headers', async () => {
    const store = await database.newStore();
    const multiValueHeaders = { 'Content-Type': ['text/plain'], 'Set-Cookie': ['a=1', 'b=2'] };
    const lambda = middy(async () => ({ statusCode: 200, statusDescription: '200 OK', multiValueHeaders, body: 'ok' }))
      .use(idempotent({ store, logger: memoryLogger() }));
    const event = () => albEvent({ headers: { 'Idempotency-Key': 'key-1' } }, true);

    await lambda(event(), lambdaContext());
    const replay = await lambda(event(), lambdaContext());

    expect(replay.multiValueHeaders).toEqual({ 'Content-Type': ['text/plain'], 'Idempotent-Replayed': ['true'] });
    expect(replay.statusDescription).toBe('200 OK');
  });
});

describe('large response', () => {
  test('is stored compressed', async () => {
    const body = JSON.stringify({ items: Array.from({ length: 20_000 }, (_, index) => ({ id: index, title: 'post' })) });

    const { store, replay } = await replayOf({ statusCode: 200, body });

    const [item] = await database.items(store);
    expect(body.length).toBeGreaterThan(400 * 1024);
    expect(item?.result?.B?.length).toBeLessThan(body.length / 10);
    expect(replay.body).toBe(body);
  });

  test('over item limit omits body', async () => {
    const body = randomBytes(500 * 1024).toString('base64');
    const headers = { 'Content-Type': 'application/octet-stream', Location: '/v1/files/1' };

    const { handler, first, replay } = await replayOf({ statusCode: 201, headers, body, isBase64Encoded: true });

    expect(first.body).toBe(body);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.statusCode).toBe(201);
    expect(replay.body).toBeUndefined();
    expect(replay.headers).toEqual({ ...headers, 'Idempotent-Replayed': 'true', 'Idempotent-Body-Omitted': 'true' });
  });

  test('non-HTTP value over limit replays undefined', async () => {
    const value = { blob: randomBytes(500 * 1024).toString('base64') };

    const { handler, replay } = await replayOf(value);

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay).toBeUndefined();
  });

  test('dynalite enforces the item limit', async () => {
    const store = await database.newStore();
    const item = { id: { S: 'oversized' }, data: { S: 'x'.repeat(400 * 1024) } };

    const put = database.client.send(new PutItemCommand({ TableName: store.tableName, Item: item }));

    await expect(put).rejects.toThrow('Item size has exceeded the maximum allowed size');
  });
});

describe('problem response', () => {
  const PROBLEM_FIELDS = ['code', 'detail', 'status', 'title', 'type'];

  type Scenario = 'invalid key' | 'missing key' | 'in progress' | 'conflict' | 'unavailable';

  async function problemFor(scenario: Scenario): Promise<TestResponse> {
    const { store, transport } = await database.newFaultyStore();
    const first = pausedHandler();
    const lambda = middy(first.handler).use(idempotent({ store, logger: memoryLogger(), required: true }));
    if (scenario === 'invalid key') return lambda(restEvent({ headers: { 'Idempotency-Key': '' } }), lambdaContext());
    if (scenario === 'missing key') return lambda(restEvent(), lambdaContext());
    if (scenario === 'unavailable') {
      transport.fail('PutItem', storeErrors.throttled);
      return lambda(post(), lambdaContext());
    }

    const pending = lambda(post('{"title":"Hi"}'), lambdaContext());
    await first.started;
    const response = await lambda(post(scenario === 'conflict' ? '{"title":"Bye"}' : '{"title":"Hi"}'), lambdaContext());
    first.finish();
    await pending;
    return response;
  }

  const cases: Array<[Scenario, number, string]> = [
    ['invalid key', 400, 'idempotency_key_invalid'],
    ['missing key', 400, 'idempotency_key_missing'],
    ['in progress', 409, 'idempotency_in_progress'],
    ['conflict', 422, 'idempotency_conflict'],
    ['unavailable', 503, 'idempotency_unavailable'],
  ];

  test.each(cases)('%s follows RFC 9457', async (scenario, status, code) => {
    const response = await problemFor(scenario);

    const problem = readProblem(response);
    expect(response.statusCode).toBe(status);
    expect(response.headers?.['Content-Type']).toBe('application/problem+json');
    expect(Object.keys(problem).sort()).toEqual(PROBLEM_FIELDS);
    expect(problem.status).toBe(status);
    expect(problem.code).toBe(code);
    expect(problem.type).toMatch(new RegExp(`^urn:.*:${code}$`));
    expect(problem.title).not.toBe('');
    expect(problem.detail).not.toBe('');
  });
});
