import type { SQSRecord } from 'aws-lambda';
import { idempotentRecords } from '../../lib/index.js';
import { lambdaContext, memoryLogger } from '../support/events.js';
import { useTestDatabase } from '../support/store.js';
import { failedIds, sqsEvent } from './sqs-events.js';

const database = useTestDatabase();

/** A record handler that keeps the order in which records ran and fails the ids in `failing`. */
function orderedHandler(failing: Set<string>) {
  const order: string[] = [];
  const handle = async (record: SQSRecord): Promise<void> => {
    order.push(record.messageId);
    // Yield between records, so records of other groups can interleave.
    await new Promise((resolve) => setImmediate(resolve));
    if (failing.has(record.messageId)) throw new Error(`handler failed for ${record.messageId}`);
  };
  return { order, handle };
}

test('failure skips later records of its group', async () => {
  const store = await database.newStore();
  const handler = orderedHandler(new Set(['a2']));
  const logger = memoryLogger();
  const batch = idempotentRecords(handler.handle, { store, logger });
  const event = sqsEvent([
    { messageId: 'a1', groupId: 'A' },
    { messageId: 'b1', groupId: 'B' },
    { messageId: 'a2', groupId: 'A' },
    { messageId: 'b2', groupId: 'B' },
    { messageId: 'a3', groupId: 'A' },
    { messageId: 'a4', groupId: 'A' },
  ]);

  const response = await batch(event, lambdaContext());

  expect(failedIds(response)).toEqual(['a2', 'a3', 'a4']);
  expect(handler.order.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2']);
  expect(handler.order.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2']);
  const skipped = logger.lines.filter((line) => line.outcome === 'skipped_after_group_failure');
  expect(skipped.map((line) => line.messageId)).toEqual(['a3', 'a4']);
});

test('redelivered group runs in order once', async () => {
  const store = await database.newStore();
  const failing = new Set(['a2']);
  const handler = orderedHandler(failing);
  const batch = idempotentRecords(handler.handle, { store, logger: memoryLogger() });
  const messages = [
    { messageId: 'a1', groupId: 'A' },
    { messageId: 'a2', groupId: 'A' },
    { messageId: 'a3', groupId: 'A' },
    { messageId: 'b1', groupId: 'B' },
  ];

  const first = await batch(sqsEvent(messages), lambdaContext());
  expect(failedIds(first)).toEqual(['a2', 'a3']);

  // SQS returns the reported records to the queue; the next batch starts with them, in order.
  failing.clear();
  const redelivered = messages.filter((message) => failedIds(first).includes(message.messageId));
  const second = await batch(sqsEvent(redelivered), lambdaContext());

  expect(failedIds(second)).toEqual([]);
  expect(handler.order.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2', 'a2', 'a3']);
  expect(handler.order.filter((id) => id === 'b1')).toHaveLength(1);
});

test('group runs one record at a time', async () => {
  const store = await database.newStore();
  let running = 0;
  let maxRunning = 0;
  const batch = idempotentRecords(
    async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
    },
    { store, logger: memoryLogger() },
  );

  await batch(sqsEvent(Array.from({ length: 5 }, (_, index) => ({ messageId: `a${index}`, groupId: 'A' }))), lambdaContext());

  expect(maxRunning).toBe(1);
});

test('replayed record does not fail its group', async () => {
  const store = await database.newStore();
  const handler = orderedHandler(new Set());
  const batch = idempotentRecords(handler.handle, { store, logger: memoryLogger() });

  await batch(sqsEvent([{ messageId: 'a1', groupId: 'A' }]), lambdaContext());
  const response = await batch(sqsEvent([{ messageId: 'a1', groupId: 'A' }, { messageId: 'a2', groupId: 'A' }]), lambdaContext());

  expect(failedIds(response)).toEqual([]);
  expect(handler.order).toEqual(['a1', 'a2']);
});

test('duplicate waits for a later group', async () => {
  const store = await database.newStore();
  const handler = orderedHandler(new Set());
  // With one slot, group B's duplicate of a2 must not hold the slot while a2 waits for it.
  const batch = idempotentRecords(handler.handle, { store, logger: memoryLogger(), concurrency: 1 });
  const body = '{"text":"same"}';
  const key = { 'Idempotency-Key': 'k' };
  const event = sqsEvent([
    { messageId: 'b1', groupId: 'B' },
    { messageId: 'a1', groupId: 'A' },
    { messageId: 'b2', groupId: 'B', body, attributes: key },
    { messageId: 'a2', groupId: 'A', body, attributes: key },
  ]);

  const response = await batch(event, lambdaContext());

  expect(failedIds(response)).toEqual([]);
  expect(handler.order.filter((id) => id === 'a2' || id === 'b2')).toHaveLength(1);
});

test('failed duplicate fails its own group', async () => {
  const store = await database.newStore();
  const handler = orderedHandler(new Set(['a1']));
  const batch = idempotentRecords(handler.handle, { store, logger: memoryLogger() });
  const body = '{"text":"same"}';
  const key = { 'Idempotency-Key': 'k' };
  const event = sqsEvent([
    { messageId: 'a1', groupId: 'A', body, attributes: key },
    { messageId: 'b1', groupId: 'B', body, attributes: key },
    { messageId: 'b2', groupId: 'B' },
  ]);

  const response = await batch(event, lambdaContext());

  expect(failedIds(response)).toEqual(['a1', 'b1', 'b2']);
  expect(handler.order).toEqual(['a1']);
});
