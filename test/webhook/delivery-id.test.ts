import { ScanCommand } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { idempotent, webhookDeliveryId, webhookSignature, webhookSourceScope, type DeliveryIdLocation } from '../../lib/index.js';
import type { DynamoDBStore } from '../../lib/store/dynamodb-store.js';
import { lambdaContext, memoryLogger } from '../support/events.js';
import { useTestDatabase } from '../support/store.js';
import { delivery, eventBody, TEST_SECRET } from './deliveries.js';

const database = useTestDatabase();

interface Response {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A signed, idempotent webhook handler whose key is the delivery id at `location`. */
function deliveryHandler(store: DynamoDBStore, location: DeliveryIdLocation) {
  const counter = { runs: 0 };
  const handler = middy(async (): Promise<Response> => {
    counter.runs++;
    return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: `{"run":${counter.runs}}` };
  })
    .use(webhookSignature({ secrets: async () => TEST_SECRET, logger: memoryLogger() }))
    .use(idempotent({ store, logger: memoryLogger(), getKey: webhookDeliveryId(location), scope: webhookSourceScope() }));
  return { handler, counter };
}

async function itemCount(store: DynamoDBStore): Promise<number> {
  const output = await database.client.send(new ScanCommand({ TableName: store.tableName, ConsistentRead: true }));
  return output.Count ?? 0;
}

function problemOf(response: Response): { code: string; detail: string } {
  return JSON.parse(response.body as string);
}

test('same JSON id twice replays the first response', async () => {
  const store = await database.newStore();
  const { handler, counter } = deliveryHandler(store, { jsonField: 'id' });
  const body = eventBody('evt-1');

  const first = await handler(delivery({ body }), lambdaContext());
  const second = await handler(delivery({ body }), lambdaContext());

  expect(counter.runs).toBe(1);
  expect(second.statusCode).toBe(first.statusCode);
  expect(second.body).toBe(first.body);
  expect(second.headers?.['Idempotent-Replayed']).toBe('true');
});

test('same header id twice replays the first response', async () => {
  const store = await database.newStore();
  const { handler, counter } = deliveryHandler(store, { header: 'X-GitHub-Delivery' });
  const headers = { 'X-GitHub-Delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' };

  await handler(delivery({ body: '{"action":"opened"}', headers }), lambdaContext());
  const second = await handler(delivery({ body: '{"action":"opened"}', headers }), lambdaContext());
  const otherDelivery = await handler(
    delivery({ body: '{"action":"opened"}', headers: { 'X-GitHub-Delivery': 'another-delivery' } }),
    lambdaContext(),
  );

  expect(counter.runs).toBe(2);
  expect(second.body).toBe('{"run":1}');
  expect(otherDelivery.body).toBe('{"run":2}');
});

test('changed body under the same id gets 422', async () => {
  const store = await database.newStore();
  const { handler, counter } = deliveryHandler(store, { jsonField: 'id' });

  await handler(delivery({ body: eventBody('evt-1', 'first text') }), lambdaContext());
  const changed = await handler(delivery({ body: eventBody('evt-1', 'changed text') }), lambdaContext());

  expect(changed.statusCode).toBe(422);
  expect(problemOf(changed).code).toBe('idempotency_conflict');
  expect(counter.runs).toBe(1);
});

test('reformatted JSON body is the same delivery', async () => {
  const store = await database.newStore();
  const { handler, counter } = deliveryHandler(store, { jsonField: 'id' });

  await handler(delivery({ body: '{"id":"evt-1","type":"t"}' }), lambdaContext());
  const reformatted = await handler(delivery({ body: '{ "type": "t", "id": "evt-1" }' }), lambdaContext());

  expect(reformatted.statusCode).toBe(200);
  expect(counter.runs).toBe(1);
});

test('concurrent duplicates run once', async () => {
  const store = await database.newStore();
  const { handler, counter } = deliveryHandler(store, { jsonField: 'id' });
  const body = eventBody('evt-1');

  const responses = await Promise.all([1, 2, 3, 4].map(() => handler(delivery({ body }), lambdaContext())));

  expect(counter.runs).toBe(1);
  // A duplicate that arrives while the first runs gets 409 and Retry-After; one that arrives later, the replay.
  for (const response of responses) {
    expect([200, 409]).toContain(response.statusCode);
    if (response.statusCode === 200) expect(response.body).toBe('{"run":1}');
    else expect(response.headers?.['Retry-After']).toBe('1');
  }
  expect(await itemCount(store)).toBe(1);
});

test('sources do not share delivery ids', async () => {
  const store = await database.newStore();
  const { handler, counter } = deliveryHandler(store, { jsonField: 'id' });
  const body = eventBody('evt-1');

  await handler(delivery({ source: 'github', body }), lambdaContext());
  await handler(delivery({ source: 'stripe', body }), lambdaContext());

  expect(counter.runs).toBe(2);
});

test('numeric id is a key', async () => {
  const store = await database.newStore();
  const { handler, counter } = deliveryHandler(store, { jsonField: 'id' });

  await handler(delivery({ body: '{"id":12345,"type":"t"}' }), lambdaContext());
  await handler(delivery({ body: '{"id":12345,"type":"t"}' }), lambdaContext());

  expect(counter.runs).toBe(1);
});

describe('deliveries without a usable id store nothing', () => {
  test.each([
    [{ jsonField: 'id' }, '{"type":"t"}', 400, 'idempotency_key_missing', 'The delivery body has no "id" field, which this endpoint uses as its idempotency key.'],
    [{ jsonField: 'id' }, 'not json', 400, 'idempotency_key_invalid', 'The delivery body is not valid JSON, so it has no "id" field to use as its idempotency key.'],
    [{ jsonField: 'id' }, '["evt-1"]', 400, 'idempotency_key_missing', 'The delivery body has no "id" field, which this endpoint uses as its idempotency key.'],
    [{ jsonField: 'id' }, '{"id":{"value":"x"}}', 400, 'idempotency_key_invalid', 'The delivery body\'s "id" field is an object; it must be a string or an integer.'],
    [{ jsonField: 'id' }, '{"id":1.5}', 400, 'idempotency_key_invalid', 'The delivery body\'s "id" field is the number 1.5; it must be a string or an integer.'],
    [{ jsonField: 'id' }, '{"id":""}', 400, 'idempotency_key_invalid', 'The delivery body\'s "id" field is empty; it must name the delivery.'],
    [{ jsonField: 'id' }, '{"id":"has space"}', 400, 'idempotency_key_invalid', expect.stringContaining('U+0020')],
    [{ jsonField: 'constructor' }, '{"id":"x"}', 400, 'idempotency_key_missing', expect.stringContaining('has no "constructor" field')],
    [{ header: 'X-GitHub-Delivery' }, '{}', 400, 'idempotency_key_missing', 'The delivery has no X-GitHub-Delivery header, which this endpoint uses as its idempotency key.'],
  ])('%j with body %s', async (location, body, status, code, detail) => {
    const store = await database.newStore();
    const { handler, counter } = deliveryHandler(store, location as DeliveryIdLocation);

    const response = await handler(delivery({ body }), lambdaContext());

    expect(response.statusCode).toBe(status);
    expect(problemOf(response).code).toBe(code);
    expect(problemOf(response).detail).toEqual(detail);
    expect(counter.runs).toBe(0);
    expect(await itemCount(store)).toBe(0);
  });
});

test('two different header ids get 400', async () => {
  const store = await database.newStore();
  const { handler } = deliveryHandler(store, { header: 'webhook-id' });
  const event = delivery({ body: '{}' });
  (event.multiValueHeaders as Record<string, string[]>)['webhook-id'] = ['msg_1', 'msg_2'];

  const response = await handler(event, lambdaContext());

  expect(response.statusCode).toBe(400);
  expect(problemOf(response).detail).toBe('The delivery carries 2 different webhook-id values; send exactly one.');
});

test('JSON id is read after a body parser', async () => {
  const store = await database.newStore();
  let runs = 0;
  const handler = middy(async (): Promise<Response> => {
    runs++;
    return { statusCode: 200, body: 'ok' };
  })
    .use(webhookSignature({ secrets: async () => TEST_SECRET, logger: memoryLogger() }))
    .use(httpJsonBodyParser())
    .use(idempotent({ store, logger: memoryLogger(), getKey: webhookDeliveryId({ jsonField: 'id' }), scope: webhookSourceScope() }));

  await handler(delivery({ body: eventBody('evt-1') }) as never, lambdaContext());
  const second = await handler(delivery({ body: eventBody('evt-1') }) as never, lambdaContext());

  expect(runs).toBe(1);
  expect(second.headers?.['Idempotent-Replayed']).toBe('true');
});

describe('helper checks', () => {
  test.each([[{}], [{ header: '' }], [{ jsonField: 7 }], [null]])('webhookDeliveryId rejects %j', (location) => {
    expect(() => webhookDeliveryId(location as never)).toThrow(/webhookDeliveryId\(\) takes \{ header: "<header name>" \} or \{ jsonField: "<field name>" \}/);
  });

  test('webhookSourceScope needs a source', () => {
    const scope = webhookSourceScope();

    expect(scope({ pathParameters: { source: 'github' } })).toBe('webhook:github');
    expect(() => scope({ pathParameters: null })).toThrow(/webhookSourceScope\(\) found no webhook source/);
  });
});

test('signature is read when multiValueHeaders is empty', async () => {
  const store = await database.newStore();
  const lambda = middy(async () => ({ statusCode: 200, body: 'ok' }))
    .use(webhookSignature({ secrets: async () => TEST_SECRET, logger: memoryLogger() }))
    .use(idempotent({ store, getKey: webhookDeliveryId({ jsonField: 'id' }), scope: webhookSourceScope(), logger: memoryLogger() }));
  const event = delivery({ body: eventBody('evt-empty-map') });
  event.multiValueHeaders = {};

  const response = await lambda(event, lambdaContext());

  expect(response.statusCode).toBe(200);
});

test('delivery without an id logs key_missing', async () => {
  const store = await database.newStore();
  const logger = memoryLogger();
  const lambda = middy(async () => ({ statusCode: 200, body: 'ok' })).use(
    idempotent({ store, getKey: webhookDeliveryId({ jsonField: 'id' }), scope: webhookSourceScope(), logger }),
  );

  await lambda(delivery({ body: '{"type":"x"}' }), lambdaContext());

  expect(logger.lines.map((line) => line.outcome)).toEqual(['key_missing']);
});
