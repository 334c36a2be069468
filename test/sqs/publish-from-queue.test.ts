import type { SQSBatchResponse } from 'aws-lambda';
import { idempotentRecords } from '../../lib/index.js';
import { fingerprint } from '../../lib/hashing.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/tables.js';
import { lambdaContext, memoryLogger } from '../support/events.js';
import { useTestDatabase } from '../support/store.js';
import { FaultyTransport, putItemFingerprint } from './faulty-transport.js';
import { failedIds, sqsEvent, type MessageInit } from './sqs-events.js';

const database = useTestDatabase();

type FunctionModule = typeof import('../../functions/publish-from-queue.js');
let queueFunction: FunctionModule;
let postsTable: string;
const savedEnvironment = { ...process.env };

// The function reads its tables and DynamoDB endpoint from the environment, as it does in Lambda.
beforeAll(async () => {
  const store = await database.newStore();
  postsTable = await database.newPostsTable();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: database.server.endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    IDEMPOTENCY_TABLE_NAME: store.tableName,
    POSTS_TABLE_NAME: postsTable,
  });
  queueFunction = await import('../../functions/publish-from-queue.js');
});

afterAll(() => {
  process.env = savedEnvironment;
});

let consoleLines: string[] = [];
beforeEach(() => {
  consoleLines = [];
  const keep = (line?: unknown): void => {
    consoleLines.push(String(line));
  };
  jest.spyOn(console, 'info').mockImplementation(keep);
  jest.spyOn(console, 'warn').mockImplementation(keep);
  jest.spyOn(console, 'error').mockImplementation(keep);
});
afterEach(() => jest.restoreAllMocks());

function message(messageId: string, apiKeyId: string, text: string, extra: Partial<MessageInit> = {}): MessageInit {
  return { messageId, body: JSON.stringify({ apiKeyId, text }), ...extra };
}

function postTexts(owner: string): Promise<string[]> {
  return database.postTexts(postsTable, owner);
}

async function send(messages: MessageInit[]): Promise<SQSBatchResponse> {
  return queueFunction.handler(sqsEvent(messages), lambdaContext());
}

test('batch publishes one post per message', async () => {
  const response = await send([message('p1', 'key-a', 'one'), message('p2', 'key-a', 'two'), message('p3', 'key-b', 'three')]);

  expect(failedIds(response)).toEqual([]);
  expect(await postTexts('key-a')).toEqual(['one', 'two']);
  expect(await postTexts('key-b')).toEqual(['three']);
});

test('redelivered batch publishes nothing new', async () => {
  const batch = [message('r1', 'key-r', 'one'), message('r2', 'key-r', 'two')];

  await send(batch);
  const again = await send(batch);

  expect(failedIds(again)).toEqual([]);
  expect(await postTexts('key-r')).toEqual(['one', 'two']);
});

test('duplicate message in a batch publishes once', async () => {
  const response = await send([message('d1', 'key-d', 'once'), message('d1', 'key-d', 'once')]);

  expect(failedIds(response)).toEqual([]);
  expect(await postTexts('key-d')).toEqual(['once']);
});

test('Idempotency-Key attribute dedupes resent messages', async () => {
  const attributes = { 'Idempotency-Key': 'order-42' };

  await send([message('i1', 'key-i', 'order placed', { attributes })]);
  // The producer timed out and sent the message again, which gave it a new message id.
  const resent = await send([message('i2', 'key-i', 'order placed', { attributes })]);

  expect(failedIds(resent)).toEqual([]);
  expect(await postTexts('key-i')).toEqual(['order placed']);
});

test('invalid messages are logged and not redelivered', async () => {
  const response = await send([
    { messageId: 'bad-json', body: 'not json' },
    { messageId: 'no-key', body: '{"text":"hello"}' },
    { messageId: 'empty-text', body: '{"apiKeyId":"key-v","text":""}' },
    { messageId: 'array', body: '[1]' },
    message('valid', 'key-v', 'valid one'),
  ]);

  expect(failedIds(response)).toEqual([]);
  expect(await postTexts('key-v')).toEqual(['valid one']);
  const dropped = consoleLines.map((line) => JSON.parse(line)).filter((line) => line.outcome === 'invalid_message');
  expect(dropped.map((line) => [line.messageId, line.reason])).toEqual([
    ['bad-json', 'The message body is not valid JSON; send {"apiKeyId": "...", "text": "..."}.'],
    ['no-key', '"apiKeyId" must be a non-empty string: the API key id that owns the post.'],
    ['empty-text', '"text" must be 1 to 2000 characters long; received 0.'],
    ['array', 'The message body must be a JSON object such as {"apiKeyId": "...", "text": "..."}.'],
  ]);
  expect(dropped.every((line) => line.level === 'ERROR')).toBe(true);
});

test('posts table failure fails the records', async () => {
  process.env.POSTS_TABLE_NAME = 'missing-table';
  let response: SQSBatchResponse;
  try {
    response = await send([message('t1', 'key-t', 'one'), message('t2', 'key-t', 'two')]);
  } finally {
    process.env.POSTS_TABLE_NAME = postsTable;
  }

  expect(failedIds(response)).toEqual(['t1', 't2']);
  // The claims were released, so the redelivery publishes both.
  const redelivered = await send([message('t1', 'key-t', 'one'), message('t2', 'key-t', 'two')]);
  expect(failedIds(redelivered)).toEqual([]);
  expect(await postTexts('key-t')).toEqual(['one', 'two']);
});

test('redelivery after partial failure publishes each message once', async () => {
  // The record store fails to claim the second and fourth messages on the first delivery only.
  const failingBodies = new Set([message('f2', 'key-f', 'two'), message('f4', 'key-f', 'four')].map((init) => fingerprint(Buffer.from(init.body as string))));
  let firstDelivery = true;
  const transport = new FaultyTransport(database.transport(), (operation, input) =>
    firstDelivery && operation === 'PutItem' && failingBodies.has(putItemFingerprint(input) ?? ''),
  );
  const store = await database.newStore(transport);
  const handler = idempotentRecords(queueFunction.createPublishMessage(memoryLogger()), { store, logger: memoryLogger() });
  const batch = sqsEvent([
    message('f1', 'key-f', 'one'),
    message('f2', 'key-f', 'two'),
    message('f3', 'key-f', 'three'),
    message('f4', 'key-f', 'four'),
  ]);

  const first = await handler(batch, lambdaContext());
  firstDelivery = false;
  const failedRecords = batch.Records.filter((record) => failedIds(first).includes(record.messageId));
  const second = await handler({ Records: failedRecords }, lambdaContext());
  // A consumer without partial batch responses, or an operator's redrive, sends the whole batch again.
  const third = await handler(batch, lambdaContext());

  expect(failedIds(first)).toEqual(['f2', 'f4']);
  expect(failedIds(second)).toEqual([]);
  expect(failedIds(third)).toEqual([]);
  expect(await postTexts('key-f')).toEqual(['four', 'one', 'three', 'two']);
});
