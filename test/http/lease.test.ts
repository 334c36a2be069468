import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { idempotent } from '../../lib/index.js';
import { manualClock } from '../support/clock.js';
import { lambdaContext, memoryLogger, restEvent } from '../support/events.js';
import { pausedHandler } from '../support/handlers.js';
import { createdResponse, readProblem } from '../support/responses.js';
import { useTestDatabase } from '../support/store.js';

const database = useTestDatabase();

const post = (body = '{"title":"Hi"}') => restEvent({ headers: { 'Idempotency-Key': 'key-1' }, body });

// Middy's early timeout would fire on the short leases below, so it is off. These tests advance an injected clock.
const noEarlyTimeout = { timeoutEarlyInMillis: 0 };

async function setup() {
  const store = await database.newStore();
  const clock = manualClock();
  const logger = memoryLogger();
  const options = { store, clock: clock.now, logger };
  const first = pausedHandler(createdResponse({ id: 'post-1' }));
  const stale = middy(first.handler, noEarlyTimeout).use(idempotent(options));
  return { store, clock, logger, options, first, stale };
}

test('lease defaults to 60 s outside Lambda', async () => {
  const store = await database.newStore();
  const clock = manualClock();
  let item: Record<string, AttributeValue> | undefined;
  const handler = async () => {
    [item] = await database.items(store);
    return createdResponse();
  };
  const lambda = middy(handler).use(idempotent({ store, clock: clock.now, logger: memoryLogger() }));

  await lambda(post(), {} as never);

  expect(item?.leaseExpiresAt?.N).toBe(String(clock.now() + 60_000));
});

test('live lease blocks takeover', async () => {
  const { clock, options, first, stale } = await setup();
  const pending = stale(post(), lambdaContext(1_000));
  await first.started;
  clock.advance(999);

  const busy = await middy(async () => createdResponse()).use(idempotent(options))(post(), lambdaContext());
  first.finish();
  await pending;

  expect(readProblem(busy).code).toBe('idempotency_in_progress');
});

test('crashed invocation is taken over', async () => {
  const { clock, options, first, stale } = await setup();
  // The first invocation claims the record and never finishes, as when its Lambda crashes.
  void stale(post(), lambdaContext(1_000));
  await first.started;
  clock.advance(1_000);
  const retry = jest.fn(async () => createdResponse({ id: 'post-2' }));

  const response = await middy(retry).use(idempotent(options))(post(), lambdaContext());
  const replay = await middy(retry).use(idempotent(options))(post(), lambdaContext());

  expect(response.body).toBe('{"id":"post-2"}');
  expect(replay.body).toBe('{"id":"post-2"}');
  expect(retry).toHaveBeenCalledTimes(1);
});

test('expired lease with other body conflicts', async () => {
  const { clock, options, first, stale } = await setup();
  void stale(post('{"title":"Hi"}'), lambdaContext(1_000));
  await first.started;
  clock.advance(1_000);

  const conflict = await middy(async () => createdResponse()).use(idempotent(options))(post('{"title":"Bye"}'), lambdaContext());

  expect(readProblem(conflict).code).toBe('idempotency_conflict');
});

test('stale save keeps newer record', async () => {
  const { store, clock, logger, options, first, stale } = await setup();
  const pending = stale(post(), lambdaContext(1_000));
  await first.started;
  clock.advance(1_000);
  await middy(async () => createdResponse({ id: 'post-2' })).use(idempotent(options))(post(), lambdaContext());
  const newer = await database.items(store);

  first.finish();
  const staleResponse = await pending;

  expect(staleResponse.body).toBe('{"id":"post-1"}');
  expect(await database.items(store)).toEqual(newer);
  expect(logger.lines.at(-1)).toMatchObject({ level: 'error', outcome: 'lease_lost', recordId: newer[0]?.id?.S });
});

test('stale release keeps newer record', async () => {
  const { store, clock, logger, options, first, stale } = await setup();
  const pending = stale(post(), lambdaContext(1_000)).catch((error: Error) => error);
  await first.started;
  clock.advance(1_000);
  const second = pausedHandler(createdResponse({ id: 'post-2' }));
  const newerPending = middy(second.handler).use(idempotent(options))(post(), lambdaContext());
  await second.started;
  const newer = await database.items(store);

  first.finish(new Error('publish failed'));
  const staleError = await pending;

  expect(staleError).toEqual(new Error('publish failed'));
  expect(await database.items(store)).toEqual(newer);
  expect(logger.lines.at(-1)).toMatchObject({ level: 'error', outcome: 'lease_lost', recordId: newer[0]?.id?.S });
  second.finish();
  expect((await newerPending).body).toBe('{"id":"post-2"}');
});

test('stale save leaves newer claim', async () => {
  const { store, clock, logger, options, first, stale } = await setup();
  const pending = stale(post(), lambdaContext(1_000));
  await first.started;
  clock.advance(1_000);
  const second = pausedHandler(createdResponse({ id: 'post-2' }));
  const newerPending = middy(second.handler).use(idempotent(options))(post(), lambdaContext());
  await second.started;

  first.finish();
  await pending;
  const [item] = await database.items(store);
  second.finish();
  await newerPending;
  const replay = await middy(async () => createdResponse()).use(idempotent(options))(post(), lambdaContext());

  expect(item?.status?.S).toBe('IN_PROGRESS');
  expect(logger.lines.some((line) => line.outcome === 'lease_lost')).toBe(true);
  expect(replay.body).toBe('{"id":"post-2"}');
});

test('record outlives a lease longer than ttlSeconds', async () => {
  const store = await database.newStore();
  const clock = manualClock();
  const options = { store, clock: clock.now, logger: memoryLogger(), ttlSeconds: 60 };
  const first = pausedHandler(createdResponse({ run: 1 }));
  const pending = middy(first.handler, noEarlyTimeout).use(idempotent(options))(post(), lambdaContext(300_000));
  await first.started;
  clock.advance(61_000);
  const second = jest.fn(async () => createdResponse({ run: 2 }));

  const duplicate = await middy(second, noEarlyTimeout).use(idempotent(options))(post(), lambdaContext(300_000));
  first.finish();
  await pending;

  expect(readProblem(duplicate).code).toBe('idempotency_in_progress');
  expect(second).not.toHaveBeenCalled();
});
