import middy from '@middy/core';
import { idempotent } from '../../lib/index.js';
import { lambdaContext, memoryLogger, restEvent } from '../support/events.js';
import { deferred } from '../support/handlers.js';
import { createdResponse, type TestResponse } from '../support/responses.js';
import { useTestDatabase } from '../support/store.js';

const database = useTestDatabase();

const REQUESTS = 50;

const post = (key = 'key-1') => restEvent({ headers: { 'Idempotency-Key': key }, body: '{"title":"Hi"}' });

/** Builds a handler that returns only after every request has sent its claim, so all of them overlap. */
async function overlappingSetup(inProgressWaitMs = 0) {
  const { store, transport } = await database.newFaultyStore();
  const allClaimed = deferred();
  transport.intercept('PutItem', async (input, send) => {
    if (transport.count('PutItem') === REQUESTS) allClaimed.resolve();
    return send(input);
  }, REQUESTS);
  let runs = 0;
  const handler = jest.fn(async (): Promise<TestResponse> => {
    const run = ++runs;
    await allClaimed.promise;
    return createdResponse({ run });
  });
  const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger(), inProgressWaitMs }));
  return { handler, lambda };
}

test('identical requests run handler once', async () => {
  const { handler, lambda } = await overlappingSetup();

  const responses = await Promise.all(Array.from({ length: REQUESTS }, () => lambda(post(), lambdaContext())));

  const unexpected = responses.filter((response) => response.statusCode !== 201 && response.statusCode !== 409);
  const bodies = new Set(responses.filter((response) => response.statusCode === 201).map((response) => response.body));
  expect(handler).toHaveBeenCalledTimes(1);
  expect(unexpected).toEqual([]);
  expect(bodies).toEqual(new Set(['{"run":1}']));
});

test('waiting requests share one response', async () => {
  const { handler, lambda } = await overlappingSetup(10_000);

  const responses = await Promise.all(Array.from({ length: REQUESTS }, () => lambda(post(), lambdaContext())));

  expect(handler).toHaveBeenCalledTimes(1);
  expect(responses.map((response) => response.statusCode)).toEqual(Array(REQUESTS).fill(201));
  expect(new Set(responses.map((response) => response.body))).toEqual(new Set(['{"run":1}']));
});

test('different keys run concurrently', async () => {
  const { handler, lambda } = await overlappingSetup();

  const responses = await Promise.all(Array.from({ length: REQUESTS }, (_, index) => lambda(post(`key-${index}`), lambdaContext())));

  expect(handler).toHaveBeenCalledTimes(REQUESTS);
  expect(responses.map((response) => response.statusCode)).toEqual(Array(REQUESTS).fill(201));
});

test('shared internal keeps overlapping requests apart', async () => {
  const store = await database.newStore();
  const firstRequest = deferred();
  const releaseFirst = deferred();
  let calls = 0;
  const handler = async (): Promise<TestResponse> => {
    const call = ++calls;
    if (call === 1) {
      firstRequest.resolve();
      await releaseFirst.promise;
    }
    return createdResponse({ request: call === 1 ? 'A' : 'B' });
  };
  // Middy's `internal` option hands every invocation this one object.
  const lambda = middy(handler, { internal: {} }).use(idempotent({ store, logger: memoryLogger() }));

  const pendingA = lambda(post('key-A'), lambdaContext());
  await firstRequest.promise;
  await lambda(post('key-B'), lambdaContext());
  releaseFirst.resolve();
  await pendingA;
  const replayA = await lambda(post('key-A'), lambdaContext());
  const replayB = await lambda(post('key-B'), lambdaContext());

  expect(replayA.body).toBe('{"request":"A"}');
  expect(replayB.body).toBe('{"request":"B"}');
});
