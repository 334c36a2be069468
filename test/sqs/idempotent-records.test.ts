import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { idempotentRecords } from '../../lib/index.js';
import { fingerprint } from '../../lib/hashing.js';
import { manualClock } from '../support/clock.js';
import { lambdaContext, memoryLogger } from '../support/events.js';
import { deferred } from '../support/handlers.js';
import { useTestDatabase } from '../support/store.js';
import { FaultyTransport, putItemFingerprint } from './faulty-transport.js';
import { failedIds, sqsEvent, STANDARD_QUEUE_ARN } from './sqs-events.js';

const database = useTestDatabase();

/** A record handler that counts its runs per message id and fails the ids in `failing`. */
function countingHandler(failing: Set<string> = new Set()) {
  const runs = new Map<string, number>();
  const handle = async (record: SQSRecord): Promise<void> => {
    runs.set(record.messageId, (runs.get(record.messageId) ?? 0) + 1);
    if (failing.has(record.messageId)) throw new Error(`handler failed for ${record.messageId}`);
  };
  return { runs, handle, total: () => [...runs.values()].reduce((sum, count) => sum + count, 0) };
}

async function scanTable(tableName: string) {
  const output = await database.client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return output.Items ?? [];
}

test('batch runs each record once', async () => {
  const store = await database.newStore();
  const counter = countingHandler();
  const handler = idempotentRecords(counter.handle, { store, logger: memoryLogger() });
  const event = sqsEvent([{ messageId: 'm1' }, { messageId: 'm2' }, { messageId: 'm3' }]);

  const response = await handler(event, lambdaContext());

  expect(response).toEqual({ batchItemFailures: [] });
  expect(Object.fromEntries(counter.runs)).toEqual({ m1: 1, m2: 1, m3: 1 });
  const items = await scanTable(store.tableName);
  expect(items).toHaveLength(3);
  expect(items.map((item) => item.status?.S)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
});

test('redelivered batch does not run again', async () => {
  const store = await database.newStore();
  const counter = countingHandler();
  const logger = memoryLogger();
  const handler = idempotentRecords(counter.handle, { store, logger });
  const event = sqsEvent([{ messageId: 'm1' }, { messageId: 'm2' }]);

  await handler(event, lambdaContext());
  const second = await handler(event, lambdaContext());

  expect(second).toEqual({ batchItemFailures: [] });
  expect(counter.total()).toBe(2);
  expect(logger.lines.filter((line) => line.outcome === 'replayed')).toHaveLength(2);
});

test('partial failure reports only failed records', async () => {
  const store = await database.newStore();
  const failing = new Set(['m2', 'm4']);
  const counter = countingHandler(failing);
  const handler = idempotentRecords(counter.handle, { store, logger: memoryLogger() });
  const event = sqsEvent([{ messageId: 'm1' }, { messageId: 'm2' }, { messageId: 'm3' }, { messageId: 'm4' }]);

  const response = await handler(event, lambdaContext());

  expect(failedIds(response)).toEqual(['m2', 'm4']);
  // The failed records' claims are released, so only the two completed records remain.
  const items = await scanTable(store.tableName);
  expect(items).toHaveLength(2);
});

test('redelivery after partial failure runs only failed records', async () => {
  const store = await database.newStore();
  const failing = new Set(['m2', 'm3']);
  const counter = countingHandler(failing);
  const handler = idempotentRecords(counter.handle, { store, logger: memoryLogger() });
  const event = sqsEvent([{ messageId: 'm1' }, { messageId: 'm2' }, { messageId: 'm3' }, { messageId: 'm4' }]);

  const first = await handler(event, lambdaContext());
  expect(failedIds(first)).toEqual(['m2', 'm3']);

  // m3 still fails on the second delivery; m2 now succeeds. The whole batch arrives again, as it does
  // when a consumer without partial batch responses, or a redrive, sends it back.
  failing.delete('m2');
  const second = await handler(event, lambdaContext());
  expect(failedIds(second)).toEqual(['m3']);

  failing.clear();
  const third = await handler(sqsEvent([{ messageId: 'm3' }]), lambdaContext());
  expect(failedIds(third)).toEqual([]);

  expect(counter.runs.get('m1')).toBe(1);
  expect(counter.runs.get('m4')).toBe(1);
  expect(counter.runs.get('m2')).toBe(2);
  expect(counter.runs.get('m3')).toBe(3);
});

test('same message twice in a batch runs once', async () => {
  const store = await database.newStore();
  const counter = countingHandler();
  const logger = memoryLogger();
  const handler = idempotentRecords(counter.handle, { store, logger });
  // Standard queues deliver at least once, so one batch can hold the same message twice.
  const event = sqsEvent([{ messageId: 'm1' }, { messageId: 'm2' }, { messageId: 'm1' }]);

  const response = await handler(event, lambdaContext());

  expect(failedIds(response)).toEqual([]);
  expect(counter.runs.get('m1')).toBe(1);
  expect(logger.lines.filter((line) => line.outcome === 'duplicate_in_batch')).toHaveLength(1);
});

test('same key attribute twice in a batch runs once', async () => {
  const store = await database.newStore();
  const counter = countingHandler();
  const handler = idempotentRecords(counter.handle, { store, logger: memoryLogger() });
  const body = '{"apiKeyId":"key-1","text":"sent twice"}';
  const event = sqsEvent([
    { messageId: 'm1', body, attributes: { 'Idempotency-Key': 'order-7' } },
    { messageId: 'm2', body, attributes: { 'Idempotency-Key': 'order-7' } },
  ]);

  const response = await handler(event, lambdaContext());

  expect(failedIds(response)).toEqual([]);
  expect(counter.total()).toBe(1);
  expect(counter.runs.get('m1')).toBe(1);
});

test('duplicate shares a failure of its first', async () => {
  const store = await database.newStore();
  const counter = countingHandler(new Set(['m1']));
  const handler = idempotentRecords(counter.handle, { store, logger: memoryLogger() });
  const body = '{"text":"x"}';
  const event = sqsEvent([
    { messageId: 'm1', body, attributes: { 'Idempotency-Key': 'k' } },
    { messageId: 'm2', body, attributes: { 'Idempotency-Key': 'k' } },
  ]);

  const response = await handler(event, lambdaContext());

  expect(failedIds(response)).toEqual(['m1', 'm2']);
  expect(counter.total()).toBe(1);
});

test('duplicate key with another body conflicts', async () => {
  const store = await database.newStore();
  const counter = countingHandler();
  const logger = memoryLogger();
  const handler = idempotentRecords(counter.handle, { store, logger });
  const event = sqsEvent([
    { messageId: 'm1', body: '{"text":"first"}', attributes: { 'Idempotency-Key': 'k' } },
    { messageId: 'm2', body: '{"text":"second"}', attributes: { 'Idempotency-Key': 'k' } },
  ]);

  const response = await handler(event, lambdaContext());

  expect(failedIds(response)).toEqual(['m2']);
  expect(counter.runs.get('m2')).toBeUndefined();
  expect(logger.lines.find((line) => line.messageId === 'm2')?.outcome).toBe('conflict');
});

test('key attribute reused across batches with another body conflicts', async () => {
  const store = await database.newStore();
  const counter = countingHandler();
  const handler = idempotentRecords(counter.handle, { store, logger: memoryLogger() });

  await handler(sqsEvent([{ messageId: 'm1', body: 'a', attributes: { 'Idempotency-Key': 'k' } }]), lambdaContext());
  const response = await handler(sqsEvent([{ messageId: 'm2', body: 'b', attributes: { 'Idempotency-Key': 'k' } }]), lambdaContext());

  expect(failedIds(response)).toEqual(['m2']);
  expect(counter.total()).toBe(1);
});

test('record in progress elsewhere is reported failed', async () => {
  const store = await database.newStore();
  let releaseFirst: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (releaseFirst = resolve));
  let signalStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (signalStarted = resolve));
  let runs = 0;
  const handler = idempotentRecords(
    async () => {
      runs++;
      signalStarted();
      await gate;
    },
    { store, logger: memoryLogger() },
  );

  const firstInvocation = handler(sqsEvent([{ messageId: 'm1' }]), lambdaContext());
  await started;
  const logger = memoryLogger();
  const secondHandler = idempotentRecords(async () => void runs++, { store, logger });
  const second = await secondHandler(sqsEvent([{ messageId: 'm1' }, { messageId: 'm2' }]), lambdaContext());
  releaseFirst();
  const first = await firstInvocation;

  expect(failedIds(second)).toEqual(['m1']);
  expect(failedIds(first)).toEqual([]);
  expect(logger.lines.find((line) => line.messageId === 'm1')?.outcome).toBe('in_progress');
  expect(runs).toBe(2);
});

test('store failure on claim fails only that record', async () => {
  const failingPrint = fingerprint(Buffer.from('store fails for this one'));
  const transport = new FaultyTransport(database.transport(), (operation, input) =>
    operation === 'PutItem' && putItemFingerprint(input) === failingPrint,
  );
  const store = await database.newStore(transport);
  const counter = countingHandler();
  const logger = memoryLogger();
  const handler = idempotentRecords(counter.handle, { store, logger });
  const event = sqsEvent([
    { messageId: 'm1' },
    { messageId: 'm2', body: 'store fails for this one' },
    { messageId: 'm3' },
  ]);

  const response = await handler(event, lambdaContext());

  expect(failedIds(response)).toEqual(['m2']);
  expect(counter.runs.get('m2')).toBeUndefined();
  const line = logger.lines.find((entry) => entry.messageId === 'm2');
  expect(line?.outcome).toBe('unavailable');
  expect(line?.level).toBe('error');
  expect(line?.error).toEqual({ name: 'Error', message: 'Injected PutItem failure' });
});

test('failed save still reports success', async () => {
  const transport = new FaultyTransport(database.transport(), (operation) => operation === 'UpdateItem');
  const store = await database.newStore(transport);
  const counter = countingHandler();
  const logger = memoryLogger();
  const handler = idempotentRecords(counter.handle, { store, logger });

  const response = await handler(sqsEvent([{ messageId: 'm1' }]), lambdaContext());

  // The handler ran; reporting a failure would run it again once the lease ends.
  expect(failedIds(response)).toEqual([]);
  expect(counter.total()).toBe(1);
  expect(logger.lines.some((line) => line.level === 'error' && /save failed/.test(line.message))).toBe(true);
});

test('failed release is logged and the record fails', async () => {
  const transport = new FaultyTransport(database.transport(), (operation) => operation === 'DeleteItem');
  const store = await database.newStore(transport);
  const counter = countingHandler(new Set(['m1']));
  const logger = memoryLogger();
  const handler = idempotentRecords(counter.handle, { store, logger });

  const response = await handler(sqsEvent([{ messageId: 'm1' }]), lambdaContext());

  expect(failedIds(response)).toEqual(['m1']);
  expect(logger.lines.some((line) => line.level === 'error' && /release failed/.test(line.message))).toBe(true);
  expect(logger.lines.find((line) => line.outcome === 'handler_failed')?.error).toEqual({
    name: 'Error',
    message: 'handler failed for m1',
  });
});

test('lease lasts the remaining time', async () => {
  const store = await database.newStore();
  const now = 1_700_000_000_000;
  let leaseExpiresAt: number | undefined;
  const handler = idempotentRecords(
    async () => {
      const items = await scanTable(store.tableName);
      leaseExpiresAt = Number(items[0]?.leaseExpiresAt?.N);
    },
    { store, logger: memoryLogger(), clock: () => now },
  );

  await handler(sqsEvent([{ messageId: 'm1' }]), lambdaContext(12_345));

  expect(leaseExpiresAt).toBe(now + 12_345);
});

test('getKey overrides attribute and message id', async () => {
  const store = await database.newStore();
  const counter = countingHandler();
  const handler = idempotentRecords(counter.handle, {
    store,
    logger: memoryLogger(),
    getKey: (record) => (JSON.parse(record.body) as { orderId?: string }).orderId,
  });
  const body = '{"orderId":"order-1"}';

  await handler(sqsEvent([{ messageId: 'm1', body, attributes: { 'Idempotency-Key': 'a' } }]), lambdaContext());
  await handler(sqsEvent([{ messageId: 'm2', body, attributes: { 'Idempotency-Key': 'b' } }]), lambdaContext());
  // Without an order id the key falls back to the attribute, then to the message id.
  await handler(sqsEvent([{ messageId: 'm3', body: '{}', attributes: { 'Idempotency-Key': 'c' } }]), lambdaContext());
  await handler(sqsEvent([{ messageId: 'm4', body: '{}', attributes: { 'Idempotency-Key': 'c' } }]), lambdaContext());
  await handler(sqsEvent([{ messageId: 'm5', body: '{}' }]), lambdaContext());

  expect([...counter.runs.keys()]).toEqual(['m1', 'm3', 'm5']);
});

test('getKey that throws fails only its record', async () => {
  const store = await database.newStore();
  const counter = countingHandler();
  const logger = memoryLogger();
  const handler = idempotentRecords(counter.handle, {
    store,
    logger,
    getKey: (record) => (JSON.parse(record.body) as { id: string }).id,
  });

  const response = await handler(sqsEvent([{ messageId: 'm1', body: '{"id":"a"}' }, { messageId: 'm2', body: 'not json' }]), lambdaContext());

  expect(failedIds(response)).toEqual(['m2']);
  const line = logger.lines.find((entry) => entry.messageId === 'm2');
  expect(line?.outcome).toBe('key_invalid');
  expect((line?.error as { name: string }).name).toBe('SyntaxError');
});

test('invalid key attribute fails its record', async () => {
  const store = await database.newStore();
  const counter = countingHandler();
  const logger = memoryLogger();
  const handler = idempotentRecords(counter.handle, { store, logger });

  const response = await handler(
    sqsEvent([
      { messageId: 'm1', attributes: { 'Idempotency-Key': '' } },
      { messageId: 'm2', attributes: { 'Idempotency-Key': 'has space' } },
      { messageId: 'm3' },
    ]),
    lambdaContext(),
  );

  expect(failedIds(response)).toEqual(['m1', 'm2']);
  expect(counter.total()).toBe(1);
  const messages = logger.lines.filter((line) => line.outcome === 'key_invalid').map((line) => (line.error as { message: string }).message);
  expect(messages[0]).toMatch(/message attribute Idempotency-Key value is empty/);
  expect(messages[1]).toMatch(/U\+0020/);
});

test('binary key attribute fails its record', async () => {
  const store = await database.newStore();
  const logger = memoryLogger();
  const handler = idempotentRecords(async () => undefined, { store, logger });
  const event = sqsEvent([{ messageId: 'm1' }]);
  (event.Records[0] as SQSRecord).messageAttributes['Idempotency-Key'] = { binaryValue: 'AAE=', dataType: 'Binary' };

  const response = await handler(event, lambdaContext());

  expect(failedIds(response)).toEqual(['m1']);
  expect((logger.lines[0]?.error as { message: string }).message).toMatch(/data type Binary and no string value/);
});

test('default scope keeps queues apart', async () => {
  const store = await database.newStore();
  const counter = countingHandler();
  const handler = idempotentRecords(counter.handle, { store, logger: memoryLogger() });
  const otherQueue = 'arn:aws:sqs:us-east-1:123456789012:other';

  await handler(sqsEvent([{ messageId: 'm1', attributes: { 'Idempotency-Key': 'k' } }]), lambdaContext());
  await handler(sqsEvent([{ messageId: 'm2', queueArn: otherQueue, attributes: { 'Idempotency-Key': 'k' } }]), lambdaContext());

  expect(counter.total()).toBe(2);
});

test('custom scope can join queues', async () => {
  const store = await database.newStore();
  const counter = countingHandler();
  const handler = idempotentRecords(counter.handle, { store, logger: memoryLogger(), scope: () => 'all-queues' });
  const otherQueue = 'arn:aws:sqs:us-east-1:123456789012:other';
  const body = 'same';

  await handler(sqsEvent([{ messageId: 'm1', body, attributes: { 'Idempotency-Key': 'k' } }]), lambdaContext());
  await handler(sqsEvent([{ messageId: 'm2', body, queueArn: otherQueue, attributes: { 'Idempotency-Key': 'k' } }]), lambdaContext());

  expect(counter.total()).toBe(1);
});

test('concurrency limits records running at once', async () => {
  const store = await database.newStore();
  let running = 0;
  let maxRunning = 0;
  let releasePartner: (() => void) | undefined;
  const handler = idempotentRecords(
    async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      // Records run in pairs: the first of a pair waits until a second one runs beside it.
      if (releasePartner) {
        releasePartner();
        releasePartner = undefined;
      } else {
        await new Promise<void>((resolve) => (releasePartner = resolve));
      }
      running--;
    },
    { store, logger: memoryLogger(), concurrency: 2 },
  );
  const event = sqsEvent(Array.from({ length: 6 }, (_, index) => ({ messageId: `m${index}` })));

  const response = await handler(event, lambdaContext());

  expect(failedIds(response)).toEqual([]);
  expect(maxRunning).toBe(2);
});

test('concurrency 1 runs records in order', async () => {
  const store = await database.newStore();
  const order: string[] = [];
  const handler = idempotentRecords(async (record) => void order.push(record.messageId), {
    store,
    logger: memoryLogger(),
    concurrency: 1,
  });
  const ids = ['m1', 'm2', 'm3', 'm4'];

  await handler(sqsEvent(ids.map((messageId) => ({ messageId }))), lambdaContext());

  expect(order).toEqual(ids);
});

test('log lines carry record id, not key', async () => {
  const store = await database.newStore();
  const logger = memoryLogger();
  const handler = idempotentRecords(async () => undefined, { store, logger });

  await handler(sqsEvent([{ messageId: 'm1', attributes: { 'Idempotency-Key': 'secret-order-key' } }]), lambdaContext());

  expect(logger.lines).toHaveLength(1);
  expect(logger.lines[0]).toMatchObject({ outcome: 'completed', messageId: 'm1' });
  expect(logger.lines[0]?.recordId).toMatch(/^[0-9a-f]{64}$/);
  expect(JSON.stringify(logger.lines)).not.toContain('secret-order-key');
  expect(JSON.stringify(logger.lines)).not.toContain(STANDARD_QUEUE_ARN);
});

test('redelivery waits while a long lease runs', async () => {
  const store = await database.newStore();
  const clock = manualClock();
  const started = deferred();
  const finish = deferred();
  let runs = 0;
  const handler = idempotentRecords(
    async () => {
      runs++;
      if (runs === 1) {
        started.resolve();
        await finish.promise;
      }
    },
    { store, clock: clock.now, logger: memoryLogger(), ttlSeconds: 60 },
  );

  const pending = handler(sqsEvent([{ messageId: 'm1' }]), lambdaContext(900_000));
  await started.promise;
  clock.advance(120_000);
  const redelivery = await handler(sqsEvent([{ messageId: 'm1' }]), lambdaContext(900_000));
  finish.resolve();
  await pending;

  expect(failedIds(redelivery)).toEqual(['m1']);
  expect(runs).toBe(1);
});
