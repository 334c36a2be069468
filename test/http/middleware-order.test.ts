import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import jsonBodyParser from '@middy/http-json-body-parser';
import { idempotent, type IdempotentOptions } from '../../lib/index.js';
import type { IdempotencyInternal } from '../../lib/middleware.js';
import { lambdaContext, memoryLogger, restEvent } from '../support/events.js';
import { createdResponse, readProblem, type TestResponse } from '../support/responses.js';
import { useTestDatabase } from '../support/store.js';

const database = useTestDatabase();

type Handler = () => Promise<TestResponse>;

// The parser's types expect API Gateway events, but these tests pass the event builders' plain objects.
const parser = () => jsonBodyParser() as MiddlewareObj;
const parserBefore = (handler: Handler, options: IdempotentOptions) => middy(handler).use(parser()).use(idempotent(options));
const parserAfter = (handler: Handler, options: IdempotentOptions) => middy(handler).use(idempotent(options)).use(parser());
const orders = [
  ['parser before', parserBefore],
  ['parser after', parserAfter],
] as const;

const post = (body: string) => restEvent({ headers: { 'Idempotency-Key': 'key-1' }, body });

describe.each(orders)('%s idempotent()', (_order, build) => {
  test('same body replays', async () => {
    const store = await database.newStore();
    const handler = jest.fn(async () => createdResponse());
    const lambda = build(handler, { store, logger: memoryLogger() });

    await lambda(post('{"title":"Hi","tags":["a"]}'), lambdaContext());
    const replay = await lambda(post('{"title":"Hi","tags":["a"]}'), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
  });

  test('different body conflicts', async () => {
    const store = await database.newStore();
    const handler = jest.fn(async () => createdResponse());
    const lambda = build(handler, { store, logger: memoryLogger() });

    await lambda(post('{"title":"Hi"}'), lambdaContext());
    const conflict = await lambda(post('{"title":"Bye"}'), lambdaContext());

    expect(readProblem(conflict).code).toBe('idempotency_conflict');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('reformatted body replays', async () => {
    const store = await database.newStore();
    const handler = jest.fn(async () => createdResponse());
    const lambda = build(handler, { store, logger: memoryLogger() });

    await lambda(post('{"title":"Hi","tags":["a"]}'), lambdaContext());
    const replay = await lambda(post('{\n  "tags": [ "a" ],\n  "title": "Hi"\n}'), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
  });

  test('base64 body replays', async () => {
    const store = await database.newStore();
    const handler = jest.fn(async () => createdResponse());
    const lambda = build(handler, { store, logger: memoryLogger() });
    const encoded = restEvent({
      headers: { 'Idempotency-Key': 'key-1' },
      body: Buffer.from('{"title":"Hi"}').toString('base64'),
      isBase64Encoded: true,
    });

    await lambda(post('{ "title": "Hi" }'), lambdaContext());
    const replay = await lambda(encoded, lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
  });
});

test('record survives reordering the parser', async () => {
  const store = await database.newStore();
  const handler = jest.fn(async () => createdResponse());
  const before = parserBefore(handler, { store, logger: memoryLogger() });
  const after = parserAfter(handler, { store, logger: memoryLogger() });

  await before(post('{"title":"Hi","n":1.0}'), lambdaContext());
  const replay = await after(post('{ "n": 1, "title": "Hi" }'), lambdaContext());

  expect(handler).toHaveBeenCalledTimes(1);
  expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
});

describe('event mutation', () => {
  const rewriteEvent = (event: Record<string, unknown>): void => {
    event.path = '/v1/elsewhere';
    event.httpMethod = 'PUT';
    event.headers = { 'Idempotency-Key': 'other-key' };
    event.multiValueHeaders = { 'Idempotency-Key': ['other-key'] };
    event.body = '{"title":"changed"}';
  };

  test('handler mutation completes claimed record', async () => {
    const store = await database.newStore();
    const handler = jest.fn(async (event: Record<string, unknown>) => {
      rewriteEvent(event);
      return createdResponse();
    });
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() }));

    await lambda(post('{"title":"Hi"}'), lambdaContext());
    const replay = await lambda(post('{"title":"Hi"}'), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
  });

  test('handler mutation releases claimed record', async () => {
    const store = await database.newStore();
    const handler = jest.fn(async (event: Record<string, unknown>) => {
      rewriteEvent(event);
      throw new Error('publish failed');
    });
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() }));

    await expect(lambda(post('{"title":"Hi"}'), lambdaContext())).rejects.toThrow('publish failed');

    expect(await database.items(store)).toEqual([]);
  });

  test('later middleware mutation completes claimed record', async () => {
    const store = await database.newStore();
    const handler = jest.fn(async () => createdResponse());
    const rewriter: MiddlewareObj = { before: (request) => rewriteEvent(request.event as Record<string, unknown>) };
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() })).use(rewriter);

    await lambda(post('{"title":"Hi"}'), lambdaContext());
    const replay = await lambda(post('{"title":"Hi"}'), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
  });

  test('idempotent() leaves event unchanged', async () => {
    const store = await database.newStore();
    const lambda = middy(async () => createdResponse()).use(idempotent({ store, logger: memoryLogger() }));
    const event = post('{"title":"Hi"}');
    const copy = structuredClone(event);

    await lambda(event, lambdaContext());
    await lambda(event, lambdaContext());

    expect(event).toEqual(copy);
  });
});

describe('request.internal', () => {
  test('later middleware sees computed state', async () => {
    const store = await database.newStore();
    const seen: IdempotencyInternal[] = [];
    const spy: MiddlewareObj<unknown, unknown, Error, Context, IdempotencyInternal> = {
      before: (request) => void seen.push({ ...request.internal }),
    };
    const lambda = middy(async () => createdResponse()).use(idempotent({ store, logger: memoryLogger() })).use(spy);

    await lambda(post('{"title":"Hi"}'), lambdaContext());

    const [item] = await database.items(store);
    expect(seen[0]?.idempotency?.recordId).toBe(item?.id?.S);
    expect(seen[0]?.idempotency?.fingerprint).toBe(item?.fingerprint?.S);
  });

  test('shared internal object starts clean', async () => {
    const store = await database.newStore();
    let runs = 0;
    const handler = jest.fn(async () => createdResponse({ run: ++runs }));
    // With the `internal` option, Middy 6 hands every request the same object.
    const lambda = middy(handler, { internal: {} }).use(idempotent({ store, logger: memoryLogger() }));

    await lambda(post('{"title":"Hi"}'), lambdaContext());
    await lambda(restEvent({ body: '{"title":"no key"}' }), lambdaContext());
    const replay = await lambda(post('{"title":"Hi"}'), lambdaContext());

    expect(replay.body).toBe('{"run":1}');
  });
});
