import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { idempotent, idempotentRecords, IdempotencyOptionError } from '../../lib/index.js';
import { lambdaContext, memoryLogger, restEvent } from '../support/events.js';
import { useTestDatabase } from '../support/store.js';
import { sqsEvent, sqsRecord } from './sqs-events.js';

const database = useTestDatabase();

async function itemCount(tableName: string): Promise<number> {
  const output = await database.client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return output.Count ?? 0;
}

describe('event checks', () => {
  test.each([
    ['an HTTP event', restEvent(), /expects an SQS event with a Records array.*use idempotent\(\)/],
    ['null', null, /received null/],
    ['a string', 'Records', /received string/],
    ['Records not an array', { Records: {} }, /expects an SQS event with a Records array/],
    ['a record that is not an object', { Records: [42] }, /Records\[0\] is number/],
    ['an SNS record', { Records: [{ ...sqsRecord({ messageId: 'm1' }), eventSource: 'aws:sns' }] }, /eventSource "aws:sns", expected "aws:sqs"/],
    ['a record without messageId', { Records: [{ ...sqsRecord({ messageId: 'm1' }), messageId: undefined }] }, /Records\[0\] has no messageId/],
    ['a record without eventSourceARN', { Records: [{ ...sqsRecord({ messageId: 'm1' }), eventSourceARN: '' }] }, /has no eventSourceARN/],
  ])('rejects %s', async (_name, event, message) => {
    const store = await database.newStore();
    const handler = idempotentRecords(async () => undefined, { store, logger: memoryLogger() });

    await expect(handler(event, lambdaContext())).rejects.toThrow(message);
  });

  test('record without body claims nothing', async () => {
    const store = await database.newStore();
    let runs = 0;
    const handler = idempotentRecords(async () => void runs++, { store, logger: memoryLogger() });
    const event = sqsEvent([{ messageId: 'm1' }, { messageId: 'm2' }]);
    delete (event.Records[1] as { body?: string }).body;

    await expect(handler(event, lambdaContext())).rejects.toThrow(
      'idempotentRecords(): Records[1] (messageId m2) has no body: its body is undefined, but SQS always delivers the message body as a string.',
    );
    expect(runs).toBe(0);
    expect(await itemCount(store.tableName)).toBe(0);
  });

  test('FIFO record without group is rejected', async () => {
    const store = await database.newStore();
    const handler = idempotentRecords(async () => undefined, { store, logger: memoryLogger() });
    const event = sqsEvent([{ messageId: 'm1', groupId: 'A' }]);
    delete (event.Records[0] as { attributes: { MessageGroupId?: string } }).attributes.MessageGroupId;

    await expect(handler(event, lambdaContext())).rejects.toThrow(/FIFO queue .*publish\.fifo but has no attributes\.MessageGroupId/);
  });

  test('empty body is a valid message', async () => {
    const store = await database.newStore();
    let runs = 0;
    const handler = idempotentRecords(async () => void runs++, { store, logger: memoryLogger() });

    const response = await handler(sqsEvent([{ messageId: 'm1', body: '' }]), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(runs).toBe(1);
  });

  test('empty batch reports no failures', async () => {
    const store = await database.newStore();
    const handler = idempotentRecords(async () => undefined, { store, logger: memoryLogger() });

    await expect(handler({ Records: [] }, lambdaContext())).resolves.toEqual({ batchItemFailures: [] });
  });
});

describe('option checks', () => {
  test.each([
    [{ concurrency: 0 }, 'idempotentRecords() option "concurrency" must be a positive integer; received 0.'],
    [{ concurrency: 1.5 }, 'idempotentRecords() option "concurrency" must be a positive integer; received 1.5.'],
    [{ ttlSeconds: -1 }, 'idempotentRecords() option "ttlSeconds" must be a positive integer number of seconds; received -1.'],
    [{ keyAttributeName: 'Idempotency Key' }, /option "keyAttributeName" must be an SQS message attribute name/],
    [{ getKey: 'id' }, 'idempotentRecords() option "getKey" must be a function; received "id".'],
    [{ scope: 'queue' }, 'idempotentRecords() option "scope" must be a function; received "queue".'],
    [{ store: {} }, /option "store" must be a record store with claim, get, complete and release methods/],
    [{ headerName: 'X-Key' }, /idempotentRecords\(\) has no option "headerName". Valid options are: store, ttlSeconds, getKey, keyAttributeName, scope, concurrency, logger, clock\./],
  ])('rejects %j', async (options, message) => {
    const store = await database.newStore();

    expect(() => idempotentRecords(async () => undefined, { store, ...options } as never)).toThrow(IdempotencyOptionError);
    expect(() => idempotentRecords(async () => undefined, { store, ...options } as never)).toThrow(message);
  });

  test('rejects a missing record handler', () => {
    expect(() => idempotentRecords(undefined as never, {})).toThrow(
      'idempotentRecords() takes the record handler as its first argument, a function (record, context) => Promise; received undefined.',
    );
  });

  test('rejects Object.prototype member names', async () => {
    const store = await database.newStore();

    expect(() => idempotentRecords(async () => undefined, { store, hasOwnProperty: 1 } as never)).toThrow(
      /idempotentRecords\(\) has no option "hasOwnProperty"/,
    );
    expect(() => idempotent({ store, isPrototypeOf: 1 } as never)).toThrow(/idempotent\(\) has no option "isPrototypeOf"/);
  });

  test('names the table variable without a store', () => {
    const saved = process.env.IDEMPOTENCY_TABLE_NAME;
    delete process.env.IDEMPOTENCY_TABLE_NAME;
    try {
      expect(() => idempotentRecords(async () => undefined)).toThrow(
        /idempotentRecords\(\) has no "store" option and cannot build the default one: .*IDEMPOTENCY_TABLE_NAME/,
      );
    } finally {
      if (saved !== undefined) process.env.IDEMPOTENCY_TABLE_NAME = saved;
    }
  });
});
