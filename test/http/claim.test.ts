import { DeleteItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { DynamoDBStore, idempotent } from '../../lib/index.js';
import { manualClock } from '../support/clock.js';
import { lambdaContext, memoryLogger, restEvent } from '../support/events.js';
import { pausedHandler } from '../support/handlers.js';
import { createdResponse, readProblem } from '../support/responses.js';
import { useTestDatabase } from '../support/store.js';

const database = useTestDatabase();

const post = (body = '{"title":"Hi"}') => restEvent({ headers: { 'Idempotency-Key': 'key-1' }, body });

describe('claim', () => {
  test('writes in-progress record', async () => {
    const store = await database.newStore();
    const clock = manualClock();
    let item: Record<string, AttributeValue> | undefined;
    const handler = async () => {
      [item] = await database.items(store);
      return createdResponse();
    };
    const lambda = middy(handler).use(idempotent({ store, clock: clock.now, logger: memoryLogger() }));

    await lambda(post(), lambdaContext(45_000));

    expect(item?.status?.S).toBe('IN_PROGRESS');
    expect(item?.fingerprint?.S).toMatch(/^[0-9a-f]{64}$/);
    expect(item?.leaseToken?.S).toMatch(/^[0-9a-f-]{36}$/);
    expect(item?.leaseExpiresAt?.N).toBe(String(clock.now() + 45_000));
    expect(item?.expiresAt?.N).toBe(String(clock.now() / 1000 + 86_400));
  });

  test('is one conditional PutItem', async () => {
    const { store, transport } = await database.newFaultyStore();
    const lambda = middy(async () => createdResponse()).use(idempotent({ store, logger: memoryLogger() }));

    await lambda(post(), lambdaContext());

    const puts = transport.calls.filter((call) => call.operation === 'PutItem');
    expect(puts).toHaveLength(1);
    expect(puts[0]?.input.ConditionExpression).toContain('attribute_not_exists');
    expect(transport.count('GetItem')).toBe(0);
  });

  test('draws a new lease token each time', async () => {
    const store = await database.newStore();
    const tokens: string[] = [];
    const handler = async () => {
      const [item] = await database.items(store);
      tokens.push(item?.leaseToken?.S ?? '');
      throw new Error('try again');
    };
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() }));

    await expect(lambda(post(), lambdaContext())).rejects.toThrow('try again');
    await expect(lambda(post(), lambdaContext())).rejects.toThrow('try again');

    expect(tokens[0]).not.toBe(tokens[1]);
  });

  test('failed claim uses returned item', async () => {
    const { store, transport } = await database.newFaultyStore({ returnOldItem: true });
    const lambda = middy(async () => createdResponse()).use(idempotent({ store, logger: memoryLogger() }));
    await lambda(post(), lambdaContext());
    transport.resetCalls();

    const replay = await lambda(post(), lambdaContext());

    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
    expect(transport.calls[0]?.input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(transport.count('PutItem')).toBe(1);
    expect(transport.count('GetItem')).toBe(0);
  });

  test('failed claim without item reads once', async () => {
    const { store, transport } = await database.newFaultyStore();
    const lambda = middy(async () => createdResponse()).use(idempotent({ store, logger: memoryLogger() }));
    await lambda(post(), lambdaContext());
    transport.resetCalls();

    const replay = await lambda(post(), lambdaContext());

    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
    expect(transport.count('PutItem')).toBe(1);
    expect(transport.count('GetItem')).toBe(1);
    expect(transport.calls[1]?.input.ConsistentRead).toBe(true);
  });

  test('retried claim finds its own lease', async () => {
    const { store, transport } = await database.newFaultyStore();
    const handler = jest.fn(async () => createdResponse());
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() }));
    transport.sendTwice('PutItem');

    const response = await lambda(post(), lambdaContext());

    expect(response.statusCode).toBe(201);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('vanished record is claimed again', async () => {
    const { store, transport } = await database.newFaultyStore();
    const first = pausedHandler();
    const second = jest.fn(async () => createdResponse({ id: 'post-2' }));
    const logger = memoryLogger();
    const firstLambda = middy(first.handler).use(idempotent({ store, logger }));
    const secondLambda = middy(second).use(idempotent({ store, logger }));
    const pending = firstLambda(post(), lambdaContext());
    await first.started;
    // The first invocation's record disappears between the failed claim and the read that follows it.
    const [item] = await database.items(store);
    transport.before('GetItem', () => database.client.send(new DeleteItemCommand({ TableName: store.tableName, Key: { id: item!.id! } })));

    const response = await secondLambda(post(), lambdaContext());
    first.finish();
    await pending;

    expect(response.statusCode).toBe(201);
    expect(second).toHaveBeenCalledTimes(1);
    // The first invocation's claim, then the second's failed claim and its successful retry.
    expect(transport.count('PutItem')).toBe(3);
  });

  test('claim attempts are bounded', async () => {
    const { store, transport } = await database.newFaultyStore();
    const handler = jest.fn(async () => createdResponse());
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() }));
    // Before every claim another invocation takes the record, and it releases it before every read.
    let key: Record<string, AttributeValue> | undefined;
    transport.intercept('PutItem', async (input, send) => {
      const item: Record<string, AttributeValue> = { ...(input.Item as Record<string, AttributeValue>), leaseToken: { S: 'other-invocation' } };
      key = { id: item.id! };
      await database.client.send(new PutItemCommand({ TableName: store.tableName, Item: item }));
      return send(input);
    }, Infinity);
    transport.intercept('GetItem', async (input, send) => {
      await database.client.send(new DeleteItemCommand({ TableName: store.tableName, Key: key }));
      return send(input);
    }, Infinity);

    const response = await lambda(post(), lambdaContext());

    expect(readProblem(response).code).toBe('idempotency_in_progress');
    expect(transport.count('PutItem')).toBe(3);
    expect(handler).not.toHaveBeenCalled();
  });

  test('works through an SDK client', async () => {
    const table = await database.newStore();
    const store = new DynamoDBStore({ tableName: table.tableName, client: database.client });
    const handler = jest.fn(async () => createdResponse());
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() }));

    await lambda(post(), lambdaContext());
    const replay = await lambda(post(), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
  });
});

describe('duplicate', () => {
  test('of completed request replays', async () => {
    const store = await database.newStore();
    const handler = jest.fn(async () => createdResponse());
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() }));

    const first = await lambda(post(), lambdaContext());
    const replay = await lambda(post(), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.statusCode).toBe(first.statusCode);
    expect(replay.body).toBe(first.body);
  });

  test('with other body conflicts', async () => {
    const store = await database.newStore();
    const handler = jest.fn(async () => createdResponse());
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() }));

    await lambda(post('{"title":"Hi"}'), lambdaContext());
    const conflict = await lambda(post('{"title":"Bye"}'), lambdaContext());

    expect(conflict.statusCode).toBe(422);
    expect(readProblem(conflict).code).toBe('idempotency_conflict');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('of running request answers 409', async () => {
    const store = await database.newStore();
    const first = pausedHandler();
    const lambda = middy(first.handler).use(idempotent({ store, logger: memoryLogger() }));
    const pending = lambda(post(), lambdaContext());
    await first.started;

    const busy = await lambda(post(), lambdaContext());
    first.finish();
    await pending;

    expect(busy.statusCode).toBe(409);
    expect(readProblem(busy).code).toBe('idempotency_in_progress');
    expect(busy.headers?.['Retry-After']).toBe('1');
    expect(first.handler).toHaveBeenCalledTimes(1);
  });

  test('of running request with other body conflicts', async () => {
    const store = await database.newStore();
    const first = pausedHandler();
    const lambda = middy(first.handler).use(idempotent({ store, logger: memoryLogger() }));
    const pending = lambda(post('{"title":"Hi"}'), lambdaContext());
    await first.started;

    const conflict = await lambda(post('{"title":"Bye"}'), lambdaContext());
    first.finish();
    await pending;

    expect(readProblem(conflict).code).toBe('idempotency_conflict');
  });

  test('waits for running request to finish', async () => {
    const { store, transport } = await database.newFaultyStore();
    const first = pausedHandler();
    const lambda = middy(first.handler).use(idempotent({ store, logger: memoryLogger(), inProgressWaitMs: 10_000 }));
    const pending = lambda(post(), lambdaContext());
    await first.started;
    // The first request finishes once the duplicate has read the in-progress record.
    transport.intercept('GetItem', async (input, send) => {
      const output = await send(input);
      first.finish();
      return output;
    });

    const replay = await lambda(post(), lambdaContext());
    const original = await pending;

    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
    expect(replay.body).toBe(original.body);
    expect(first.handler).toHaveBeenCalledTimes(1);
  });

  test('wait stops before the invocation times out', async () => {
    const { store, transport } = await database.newFaultyStore();
    const first = pausedHandler();
    const lambda = middy(first.handler).use(idempotent({ store, logger: memoryLogger(), inProgressWaitMs: 10_000 }));
    const pending = lambda(post(), lambdaContext());
    await first.started;
    transport.resetCalls();

    // With 1 s left, all of it is kept back to send the 409, so nothing is polled.
    const duplicate = await lambda(post(), lambdaContext(1_000));
    first.finish();
    await pending;

    expect(readProblem(duplicate).code).toBe('idempotency_in_progress');
    expect(transport.count('GetItem')).toBe(1);
  });

  test('runs handler after running request fails', async () => {
    const { store, transport } = await database.newFaultyStore();
    const first = pausedHandler();
    const retry = jest.fn(async () => createdResponse({ id: 'post-2' }));
    const options = { store, logger: memoryLogger(), inProgressWaitMs: 10_000 };
    const pending = middy(first.handler).use(idempotent(options))(post(), lambdaContext()).catch((error: Error) => error);
    await first.started;
    transport.intercept('GetItem', async (input, send) => {
      const output = await send(input);
      first.finish(new Error('publish failed'));
      return output;
    });

    const response = await middy(retry).use(idempotent(options))(post(), lambdaContext());
    const firstError = await pending;

    expect(firstError).toEqual(new Error('publish failed'));
    expect(response.body).toBe('{"id":"post-2"}');
    expect(retry).toHaveBeenCalledTimes(1);
  });

  test('answered 409 writes nothing', async () => {
    const { store, transport } = await database.newFaultyStore();
    const first = pausedHandler();
    const lambda = middy(first.handler).use(idempotent({ store, logger: memoryLogger() }));
    const pending = lambda(post(), lambdaContext());
    await first.started;
    transport.resetCalls();

    await lambda(post(), lambdaContext());
    const [item] = await database.items(store);

    expect(transport.count('UpdateItem')).toBe(0);
    expect(transport.count('DeleteItem')).toBe(0);
    expect(item?.status?.S).toBe('IN_PROGRESS');
    first.finish();
    await pending;
  });

  test('answered 422 writes nothing', async () => {
    const { store, transport } = await database.newFaultyStore();
    const lambda = middy(async () => createdResponse()).use(idempotent({ store, logger: memoryLogger() }));
    await lambda(post('{"title":"Hi"}'), lambdaContext());
    const before = await database.items(store);
    transport.resetCalls();

    await lambda(post('{"title":"Bye"}'), lambdaContext());

    expect(transport.count('UpdateItem')).toBe(0);
    expect(transport.count('DeleteItem')).toBe(0);
    expect(await database.items(store)).toEqual(before);
  });
});

describe('completion', () => {
  test('is conditioned on the lease token', async () => {
    const { store, transport } = await database.newFaultyStore();
    const lambda = middy(async () => createdResponse()).use(idempotent({ store, logger: memoryLogger() }));

    await lambda(post(), lambdaContext());

    const [update] = transport.calls.filter((call) => call.operation === 'UpdateItem');
    const [item] = await database.items(store);
    expect(update?.input.ConditionExpression).toBe('#leaseToken = :leaseToken');
    expect(update?.input.ExpressionAttributeValues).toMatchObject({ ':leaseToken': item?.leaseToken });
    expect(item?.status?.S).toBe('COMPLETED');
  });

  test('handler error releases and rethrows', async () => {
    const { store, transport } = await database.newFaultyStore();
    const error = new Error('publish failed');
    const lambda = middy(async () => { throw error; }).use(idempotent({ store, logger: memoryLogger() }));

    await expect(lambda(post(), lambdaContext())).rejects.toBe(error);

    const [release] = transport.calls.filter((call) => call.operation === 'DeleteItem');
    expect(release?.input.ConditionExpression).toContain('#leaseToken = :leaseToken');
    expect(await database.items(store)).toEqual([]);
  });

  test('released request runs again', async () => {
    const store = await database.newStore();
    const handler = jest.fn()
      .mockRejectedValueOnce(new Error('publish failed'))
      .mockResolvedValueOnce(createdResponse());
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() }));

    await expect(lambda(post(), lambdaContext())).rejects.toThrow('publish failed');
    const response = await lambda(post(), lambdaContext());

    expect(response.statusCode).toBe(201);
    expect(handler).toHaveBeenCalledTimes(2);
  });

  test('undefined result replays as undefined', async () => {
    const store = await database.newStore();
    const handler = jest.fn(async () => undefined);
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() }));

    await lambda(post(), lambdaContext());
    const replay = await lambda(post(), lambdaContext());

    expect(replay).toBeUndefined();
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('non-HTTP value replays as saved', async () => {
    const store = await database.newStore();
    const handler = jest.fn(async () => ({ accepted: true, ids: [1, 2] }));
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() }));

    await lambda(post(), lambdaContext());
    const replay = await lambda(post(), lambdaContext());

    expect(replay).toEqual({ accepted: true, ids: [1, 2] });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('string result replays as saved', async () => {
    const store = await database.newStore();
    const handler = jest.fn(async () => 'accepted');
    const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger() }));

    await lambda(post(), lambdaContext());
    const replay = await lambda(post(), lambdaContext());

    expect(replay).toBe('accepted');
    expect(handler).toHaveBeenCalledTimes(1);
  });
});
