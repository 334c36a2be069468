import middy from '@middy/core';
import { idempotent } from '../lib/index.js';
import { lambdaContext, memoryLogger, restEvent } from './support/events.js';
import { useTestDatabase } from './support/store.js';

const database = useTestDatabase();

test('replays the first response', async () => {
  const store = await database.newStore();
  const logger = memoryLogger();
  let runs = 0;
  const handler = middy(async () => {
    runs++;
    return { statusCode: 201, headers: { 'Content-Type': 'application/json', 'Set-Cookie': 'a=b' }, body: `{"run":${runs}}` };
  }).use(idempotent({ store, logger }));

  const event = () => restEvent({ headers: { 'Idempotency-Key': 'abc' } });
  const first = await handler(event(), lambdaContext());
  const second = await handler(event(), lambdaContext());
  console.log(first, second, logger.lines);
  expect(runs).toBe(1);
  expect(second.body).toBe(first.body);
});
