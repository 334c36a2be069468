import middy from '@middy/core';
import { idempotent, type IdempotentOptions } from '../../lib/index.js';
import { manualClock } from '../support/clock.js';
import { lambdaContext, memoryLogger, restEvent } from '../support/events.js';
import { createdResponse } from '../support/responses.js';
import { useTestDatabase } from '../support/store.js';

const database = useTestDatabase();

const DAY_MS = 86_400_000;

const post = (body = '{"title":"Hi"}') => restEvent({ headers: { 'Idempotency-Key': 'key-1' }, body });

async function setup(options: IdempotentOptions = {}) {
  const store = await database.newStore();
  const clock = manualClock();
  let runs = 0;
  const handler = jest.fn(async () => createdResponse({ run: ++runs }));
  const lambda = middy(handler).use(idempotent({ store, clock: clock.now, logger: memoryLogger(), ...options }));
  return { store, clock, handler, lambda };
}

test('record expires after 24 hours', async () => {
  const { store, clock, lambda } = await setup();

  await lambda(post(), lambdaContext());

  const [item] = await database.items(store);
  expect(item?.expiresAt?.N).toBe(String(clock.now() / 1000 + 86_400));
});

test('replays 1 ms before 24 hours', async () => {
  const { clock, handler, lambda } = await setup();
  await lambda(post(), lambdaContext());
  clock.advance(DAY_MS - 1);

  const replay = await lambda(post(), lambdaContext());

  expect(replay.body).toBe('{"run":1}');
  expect(handler).toHaveBeenCalledTimes(1);
});

test('runs again at 24 hours', async () => {
  const { clock, handler, lambda } = await setup();
  await lambda(post(), lambdaContext());
  clock.advance(DAY_MS);

  const response = await lambda(post(), lambdaContext());

  expect(response.body).toBe('{"run":2}');
  expect(handler).toHaveBeenCalledTimes(2);
});

test('expired record accepts other body', async () => {
  const { clock, handler, lambda } = await setup();
  await lambda(post('{"title":"Hi"}'), lambdaContext());
  clock.advance(DAY_MS);

  const response = await lambda(post('{"title":"Bye"}'), lambdaContext());

  expect(response.statusCode).toBe(201);
  expect(handler).toHaveBeenCalledTimes(2);
});

test('ttlSeconds sets expiry', async () => {
  const { store, clock, handler, lambda } = await setup({ ttlSeconds: 60 });
  await lambda(post(), lambdaContext());
  const [item] = await database.items(store);
  clock.advance(59_999);
  await lambda(post(), lambdaContext());
  clock.advance(1);

  await lambda(post(), lambdaContext());

  expect(item?.expiresAt?.N).toBe(String((clock.now() - 60_000) / 1000 + 60));
  expect(handler).toHaveBeenCalledTimes(2);
});

test('local cache entry expires too', async () => {
  const { clock, handler, lambda } = await setup({ localCache: true });
  await lambda(post(), lambdaContext());
  clock.advance(DAY_MS - 1);
  await lambda(post(), lambdaContext());
  clock.advance(1);

  const response = await lambda(post(), lambdaContext());

  expect(response.body).toBe('{"run":2}');
  expect(handler).toHaveBeenCalledTimes(2);
});
