import middy from '@middy/core';
import { DynamoDBStore, idempotent } from '../../lib/index.js';
import { manualClock } from '../support/clock.js';
import { lambdaContext, memoryLogger, restEvent } from '../support/events.js';
import { storeErrors } from '../support/faults.js';
import { pausedHandler } from '../support/handlers.js';
import { createdResponse, readProblem } from '../support/responses.js';
import { useTestDatabase } from '../support/store.js';

const database = useTestDatabase();

const post = () => restEvent({ headers: { 'Idempotency-Key': 'key-1' }, body: '{"title":"Hi"}' });

async function setup() {
  const { store, transport } = await database.newFaultyStore();
  const clock = manualClock();
  const logger = memoryLogger();
  const handler = jest.fn(async () => createdResponse());
  const options = { store, clock: clock.now, logger };
  const lambda = middy(handler).use(idempotent(options));
  return { store, transport, clock, logger, handler, options, lambda };
}

describe('claim failure', () => {
  const errors: Array<[string, () => Error]> = [
    ['throttling', storeErrors.throttled],
    ['timeout', storeErrors.timedOut],
    ['network error', storeErrors.networkDown],
  ];

  test.each(errors)('%s answers 503', async (_case, error) => {
    const { transport, handler, lambda } = await setup();
    transport.fail('PutItem', error);

    const response = await lambda(post(), lambdaContext());

    expect(response.statusCode).toBe(503);
    expect(readProblem(response).code).toBe('idempotency_unavailable');
    expect(response.headers?.['Retry-After']).toBe('1');
    expect(handler).not.toHaveBeenCalled();
  });

  test('applied but timed out answers 503', async () => {
    const { transport, handler, lambda } = await setup();
    transport.loseResponse('PutItem');

    const response = await lambda(post(), lambdaContext());

    expect(readProblem(response).code).toBe('idempotency_unavailable');
    expect(handler).not.toHaveBeenCalled();
  });

  test('applied claim is released at once', async () => {
    const { store, transport, handler, lambda } = await setup();
    transport.loseResponse('PutItem');
    await lambda(post(), lambdaContext());
    const itemsAfterFailure = await database.items(store);

    const retry = await lambda(post(), lambdaContext());

    expect(itemsAfterFailure).toEqual([]);
    expect(retry.statusCode).toBe(201);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('failed cleanup is logged', async () => {
    const { store, transport, logger, lambda } = await setup();
    transport.loseResponse('PutItem').fail('DeleteItem', storeErrors.networkDown);

    await lambda(post(), lambdaContext());
    const [item] = await database.items(store);

    expect(item?.status?.S).toBe('IN_PROGRESS');
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'idempotency claim cleanup failed', recordId: item?.id?.S }),
    );
  });

  test('applied claim frees after its lease', async () => {
    const { transport, clock, handler, lambda } = await setup();
    transport.loseResponse('PutItem').fail('DeleteItem', storeErrors.networkDown);
    await lambda(post(), lambdaContext(5_000));
    clock.advance(5_000);

    const response = await lambda(post(), lambdaContext());

    expect(response.statusCode).toBe(201);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('read after conflict answers 503', async () => {
    const { transport, handler, lambda } = await setup();
    await lambda(post(), lambdaContext());
    transport.fail('GetItem', storeErrors.timedOut);

    const response = await lambda(post(), lambdaContext());

    expect(response.statusCode).toBe(503);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('poll while waiting answers 503', async () => {
    const { store, transport } = await database.newFaultyStore();
    const first = pausedHandler();
    const options = { store, logger: memoryLogger(), inProgressWaitMs: 10_000 };
    const pending = middy(first.handler).use(idempotent(options))(post(), lambdaContext());
    await first.started;
    // The read after the failed claim succeeds, and the first poll after it fails.
    transport.intercept('GetItem', (input, send) => send(input));
    transport.fail('GetItem', storeErrors.networkDown);

    const response = await middy(async () => createdResponse()).use(idempotent(options))(post(), lambdaContext());
    first.finish();
    await pending;

    expect(readProblem(response).code).toBe('idempotency_unavailable');
  });

  test('writes nothing', async () => {
    const { store, transport, lambda } = await setup();
    transport.fail('PutItem', storeErrors.throttled);

    await lambda(post(), lambdaContext());

    expect(transport.count('UpdateItem')).toBe(0);
    expect(await database.items(store)).toEqual([]);
  });

  test('throttled claim is cleaned up quietly', async () => {
    const { transport, logger, lambda } = await setup();
    transport.fail('PutItem', storeErrors.throttled);

    await lambda(post(), lambdaContext());

    expect(transport.count('DeleteItem')).toBe(1);
    expect(logger.lines.map((line) => line.level)).toEqual(['error']);
  });

  test('applied claim before a final 4xx is released', async () => {
    const { transport, handler, lambda } = await setup();
    // The first attempt reached the table; the transport's last retry was throttled.
    transport.intercept('PutItem', async (input, send) => {
      await send(input);
      throw storeErrors.throttled();
    });

    const first = await lambda(post(), lambdaContext());
    const retry = await lambda(post(), lambdaContext());

    expect(first.statusCode).toBe(503);
    expect(retry.statusCode).toBe(201);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('cleanup keeps another invocation\'s record', async () => {
    const { store, transport, handler, lambda } = await setup();
    await lambda(post(), lambdaContext());
    const before = await database.items(store);
    transport.fail('PutItem', storeErrors.timedOut);

    await lambda(post(), lambdaContext());
    const replay = await lambda(post(), lambdaContext());

    expect(transport.count('DeleteItem')).toBe(1);
    expect(await database.items(store)).toEqual(before);
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe('save failure', () => {
  test('returns the response', async () => {
    const { transport, lambda } = await setup();
    transport.fail('UpdateItem', storeErrors.timedOut);

    const response = await lambda(post(), lambdaContext());

    expect(response.statusCode).toBe(201);
    expect(response.body).toBe('{"id":"post-1"}');
  });

  test('logs the error', async () => {
    const { store, transport, logger, lambda } = await setup();
    transport.fail('UpdateItem', storeErrors.timedOut);

    await lambda(post(), lambdaContext());

    const [item] = await database.items(store);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({ level: 'error', recordId: item?.id?.S, error: { name: 'TimeoutError' } });
  });

  test('leaves record in progress', async () => {
    const { store, transport, lambda } = await setup();
    transport.fail('UpdateItem', storeErrors.networkDown);

    await lambda(post(), lambdaContext());

    const [item] = await database.items(store);
    expect(item?.status?.S).toBe('IN_PROGRESS');
  });

  test('retry within lease answers 409', async () => {
    const { transport, clock, handler, lambda } = await setup();
    transport.fail('UpdateItem', storeErrors.throttled);
    await lambda(post(), lambdaContext(5_000));
    clock.advance(4_999);

    const response = await lambda(post(), lambdaContext());

    expect(readProblem(response).code).toBe('idempotency_in_progress');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('retry after lease runs again', async () => {
    const { transport, clock, handler, lambda } = await setup();
    transport.fail('UpdateItem', storeErrors.throttled);
    await lambda(post(), lambdaContext(5_000));
    clock.advance(5_000);

    const response = await lambda(post(), lambdaContext());

    expect(response.statusCode).toBe(201);
    expect(handler).toHaveBeenCalledTimes(2);
  });
});

describe('resent write', () => {
  test('save still completes', async () => {
    const { store, transport, logger, lambda } = await setup();
    transport.sendTwice('UpdateItem');

    await lambda(post(), lambdaContext());

    const [item] = await database.items(store);
    expect(item?.status?.S).toBe('COMPLETED');
    expect(logger.lines).toEqual([expect.objectContaining({ outcome: 'claimed', level: 'info' })]);
  });

  test('release still succeeds', async () => {
    const { store, transport, logger } = await setup();
    const lambda = middy(async () => { throw new Error('publish failed'); }).use(idempotent({ store, logger }));
    transport.sendTwice('DeleteItem');

    await expect(lambda(post(), lambdaContext())).rejects.toThrow('publish failed');

    expect(logger.lines).toEqual([expect.objectContaining({ outcome: 'released', level: 'info' })]);
  });
});

describe('release failure', () => {
  test('rethrows the handler error', async () => {
    const { store, transport, logger } = await setup();
    const error = new Error('publish failed');
    const lambda = middy(async () => { throw error; }).use(idempotent({ store, logger }));
    transport.fail('DeleteItem', storeErrors.networkDown);

    await expect(lambda(post(), lambdaContext())).rejects.toBe(error);

    expect(logger.lines[0]).toMatchObject({ level: 'error', error: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:8000' } });
  });

  test('server error response still returned', async () => {
    const { store, transport, logger } = await setup();
    const lambda = middy(async () => ({ statusCode: 502, body: 'upstream failed' })).use(idempotent({ store, logger }));
    transport.fail('DeleteItem', storeErrors.timedOut);

    const response = await lambda(post(), lambdaContext());

    expect(response.statusCode).toBe(502);
    expect(logger.lines[0]?.level).toBe('error');
  });
});

describe('missing table', () => {
  test('answers 503 and names the table', async () => {
    const logger = memoryLogger();
    const store = new DynamoDBStore({ tableName: 'no-such-table' }, database.transport());
    const handler = jest.fn(async () => createdResponse());
    const lambda = middy(handler).use(idempotent({ store, logger }));

    const response = await lambda(post(), lambdaContext());

    expect(readProblem(response).code).toBe('idempotency_unavailable');
    expect(handler).not.toHaveBeenCalled();
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'error',
        outcome: 'unavailable',
        error: { name: 'TableNotFoundError', message: expect.stringContaining('no table "no-such-table"') },
      }),
    ]);
  });
});

describe('after hook failure', () => {
  test('later after error keeps the saved record', async () => {
    const { store, handler, options } = await setup();
    let failAfter = true;
    const failingAfter = {
      after: async () => {
        if (failAfter) throw new Error('after failed');
      },
    };
    // idempotent() is used last, so its after hook runs first and the failing one runs after it.
    const lambda = middy(handler).use(failingAfter).use(idempotent(options));

    await expect(lambda(post(), lambdaContext())).rejects.toThrow('after failed');
    const [item] = await database.items(store);
    failAfter = false;
    const retry = await lambda(post(), lambdaContext());

    expect(item?.status?.S).toBe('COMPLETED');
    expect(retry.headers?.['Idempotent-Replayed']).toBe('true');
    expect(handler).toHaveBeenCalledTimes(1);
  });
});
