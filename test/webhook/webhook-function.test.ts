import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/tables.js';
import { lambdaContext } from '../support/events.js';
import { useTestDatabase } from '../support/store.js';
import { delivery, eventBody, type DeliveryInit } from './deliveries.js';

const database = useTestDatabase();

type FunctionModule = typeof import('../../functions/webhook.js');
let webhookFunction: FunctionModule;
let postsTable: string;
let idempotencyTable: string;
const savedEnvironment = { ...process.env };
const SECRET = 'function-test-secret';

interface Response {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

// The function reads its tables, endpoint and secret from the environment, as the local runner sets them.
beforeAll(async () => {
  idempotencyTable = (await database.newStore()).tableName;
  postsTable = await database.newPostsTable();
  delete process.env.WEBHOOK_SECRET_ARN;
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: database.server.endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    IDEMPOTENCY_TABLE_NAME: idempotencyTable,
    POSTS_TABLE_NAME: postsTable,
    WEBHOOK_SECRET: SECRET,
  });
  webhookFunction = await import('../../functions/webhook.js');
});

afterAll(() => {
  process.env = savedEnvironment;
});

beforeEach(() => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

async function deliver(init: DeliveryInit): Promise<Response> {
  return (await webhookFunction.handler(delivery({ secret: SECRET, ...init }) as never, lambdaContext())) as Response;
}

function postTexts(owner: string): Promise<string[]> {
  return database.postTexts(postsTable, owner);
}

async function scan(tableName: string) {
  const output = await database.client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return output.Items ?? [];
}

test('post.requested publishes a post for the source', async () => {
  const response = await deliver({ source: 'github', body: eventBody('evt-publish', 'hello from github') });

  expect(response.statusCode).toBe(201);
  const body = JSON.parse(response.body as string);
  expect(body.received).toBe(true);
  expect(body.post.text).toBe('hello from github');
  expect(await postTexts('webhook:github')).toEqual(['hello from github']);
});

test('same delivery twice publishes once', async () => {
  const init = { source: 'twice', body: eventBody('evt-twice', 'only once') };

  const first = await deliver(init);
  const second = await deliver(init);

  expect(second.statusCode).toBe(201);
  expect(second.body).toBe(first.body);
  expect(second.headers?.['Idempotent-Replayed']).toBe('true');
  expect(await postTexts('webhook:twice')).toEqual(['only once']);
});

test('concurrent duplicates publish once', async () => {
  const init = { source: 'concurrent', body: eventBody('evt-concurrent', 'raced') };

  const responses = await Promise.all([deliver(init), deliver(init), deliver(init)]);

  expect(responses.filter((response) => response.statusCode === 201).length).toBeGreaterThanOrEqual(1);
  for (const response of responses) expect([201, 409]).toContain(response.statusCode);
  expect(await postTexts('webhook:concurrent')).toEqual(['raced']);
});

test('changed body under the same id gets 422', async () => {
  await deliver({ source: 'changed', body: eventBody('evt-changed', 'original') });
  const changed = await deliver({ source: 'changed', body: eventBody('evt-changed', 'edited') });

  expect(changed.statusCode).toBe(422);
  expect(changed.headers?.['Content-Type']).toBe('application/problem+json');
  expect(JSON.parse(changed.body as string).code).toBe('idempotency_conflict');
  expect(await postTexts('webhook:changed')).toEqual(['original']);
});

test('other event types are acknowledged and ignored', async () => {
  const response = await deliver({ source: 'other', body: eventBody('evt-other', 'x', 'post.deleted') });

  expect(response.statusCode).toBe(200);
  expect(JSON.parse(response.body as string)).toEqual({ received: true, ignored: true, type: 'post.deleted' });
  expect(await postTexts('webhook:other')).toEqual([]);
});

test('invalid text gets 400', async () => {
  const response = await deliver({ source: 'invalid', body: eventBody('evt-invalid', '') });

  expect(response.statusCode).toBe(400);
  expect(JSON.parse(response.body as string).detail).toBe('"data.text" must be 1 to 2000 characters long; received 0.');
  expect(await postTexts('webhook:invalid')).toEqual([]);
});

test.each([
  ['{"id":"evt-no-type","data":{"text":"x"}}', '"type" must be a non-empty string, such as "post.requested".'],
  ['{"id":"evt-bad-data","type":"post.requested","data":"x"}', '"data" must be a JSON object such as {"text": "..."}.'],
])('malformed event %s gets 400', async (body, detail) => {
  const response = await deliver({ source: 'malformed', body });

  expect(response.statusCode).toBe(400);
  expect(JSON.parse(response.body as string).detail).toBe(detail);
});

describe('unsigned deliveries change nothing', () => {
  test.each([
    ['missing signature', { secret: null }],
    ['wrong secret', { secret: 'guessed-secret' }],
    ['local default secret', { secret: 'local-webhook-secret' }],
  ])('%s gets 401', async (_name, init) => {
    const postsBefore = (await scan(postsTable)).length;
    const recordsBefore = (await scan(idempotencyTable)).length;

    const response = await deliver({ source: 'forged', body: eventBody('evt-forged', 'forged'), ...init });

    expect(response.statusCode).toBe(401);
    expect(response.headers?.['Content-Type']).toBe('application/problem+json');
    expect(JSON.parse(response.body as string).code).toBe('invalid_signature');
    expect((await scan(postsTable)).length).toBe(postsBefore);
    expect((await scan(idempotencyTable)).length).toBe(recordsBefore);
  });

  test('a forged delivery does not occupy its id', async () => {
    await deliver({ source: 'occupy', body: eventBody('evt-occupy', 'forged'), secret: 'guessed-secret' });
    const genuine = await deliver({ source: 'occupy', body: eventBody('evt-occupy', 'genuine') });

    expect(genuine.statusCode).toBe(201);
    expect(await postTexts('webhook:occupy')).toEqual(['genuine']);
  });
});

describe('secret selection', () => {
  test('uses WEBHOOK_SECRET for every source', async () => {
    const secrets = webhookFunction.webhookSecretsFromEnvironment({ WEBHOOK_SECRET: 'from-env' });

    await expect(secrets('github')).resolves.toBe('from-env');
    await expect(secrets('anything')).resolves.toBe('from-env');
  });

  test('defaults to the local secret outside Lambda', async () => {
    const secrets = webhookFunction.webhookSecretsFromEnvironment({});

    await expect(secrets('github')).resolves.toBe('local-webhook-secret');
  });

  test('refuses the local secret inside Lambda', () => {
    expect(() => webhookFunction.webhookSecretsFromEnvironment({ AWS_LAMBDA_FUNCTION_NAME: 'webhook' })).toThrow(
      'WEBHOOK_SECRET_ARN is not set: set it to the ARN of the secret that maps each webhook source to its shared secret.',
    );
  });

  test('rejects an empty WEBHOOK_SECRET', () => {
    expect(() => webhookFunction.webhookSecretsFromEnvironment({ WEBHOOK_SECRET: '' })).toThrow(/must be a non-empty string/);
  });
});
