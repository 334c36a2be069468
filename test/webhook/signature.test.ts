import { createHmac } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import {
  idempotent,
  IdempotencyOptionError,
  sharedWebhookSecret,
  webhookDeliveryId,
  webhookSignature,
  webhookSourceScope,
  type WebhookSecrets,
} from '../../lib/index.js';
import type { DynamoDBStore } from '../../lib/store/dynamodb-store.js';
import { albEvent, lambdaContext, memoryLogger } from '../support/events.js';
import { useTestDatabase } from '../support/store.js';
import { delivery, eventBody, TEST_SECRET } from './deliveries.js';

const database = useTestDatabase();

/** The response fields these tests read. */
interface Response {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body?: string;
}

const secrets: WebhookSecrets = async (source) => (source === 'github' ? TEST_SECRET : undefined);

/** A webhook handler behind signature checking and idempotency, counting its runs. */
function webhookHandler(store: DynamoDBStore, options: { secrets?: WebhookSecrets; logger?: ReturnType<typeof memoryLogger> } = {}) {
  const counter = { runs: 0 };
  const handler = middy(async (): Promise<Response> => {
    counter.runs++;
    return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: `{"run":${counter.runs}}` };
  })
    .use(webhookSignature({ secrets: options.secrets ?? secrets, logger: options.logger ?? memoryLogger() }))
    .use(idempotent({ store, logger: memoryLogger(), getKey: webhookDeliveryId({ jsonField: 'id' }), scope: webhookSourceScope() }));
  return { handler, counter };
}

async function itemCount(store: DynamoDBStore): Promise<number> {
  const output = await database.client.send(new ScanCommand({ TableName: store.tableName, ConsistentRead: true }));
  return output.Count ?? 0;
}

function problemOf(response: { body?: string }): { code: string; status: number; detail: string } {
  return JSON.parse(response.body as string);
}

test('valid signature reaches the handler', async () => {
  const store = await database.newStore();
  const { handler, counter } = webhookHandler(store);

  const response = await handler(delivery({ body: eventBody('evt-1') }), lambdaContext());

  expect(response.statusCode).toBe(200);
  expect(counter.runs).toBe(1);
  expect(await itemCount(store)).toBe(1);
});

describe('rejected signatures store nothing', () => {
  const body = eventBody('evt-1');
  test.each([
    ['missing header', { body, secret: null }, /has no X-Signature-256 header/],
    ['other secret', { body, secret: 'not-the-secret' }, /signature does not match the body/],
    ['signature of another body', { body, signature: sign(eventBody('evt-2')) }, /signature does not match the body/],
    ['empty header', { body, signature: '' }, /not in the form sha256=<64 hexadecimal digits>/],
    ['missing sha256= prefix', { body, signature: sign(body).slice('sha256='.length) }, /not in the form/],
    ['sha1 prefix', { body, signature: sign(body).replace('sha256=', 'sha1=') }, /not in the form/],
    ['truncated digest', { body, signature: sign(body).slice(0, -2) }, /not in the form/],
    ['non-hex digest', { body, signature: `sha256=${'z'.repeat(64)}` }, /not in the form/],
  ])('%s gets 401', async (_name, init, detail) => {
    const store = await database.newStore();
    const logger = memoryLogger();
    const { handler, counter } = webhookHandler(store, { logger });

    const response = await handler(delivery(init), lambdaContext());

    expect(response.statusCode).toBe(401);
    expect(response.headers?.['Content-Type']).toBe('application/problem+json');
    expect(response.headers?.['WWW-Authenticate']).toBe('HMAC-SHA256 header="X-Signature-256"');
    expect(problemOf(response).code).toBe('invalid_signature');
    expect(problemOf(response).status).toBe(401);
    expect(problemOf(response).detail).toMatch(detail);
    expect(counter.runs).toBe(0);
    expect(await itemCount(store)).toBe(0);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'warn', outcome: 'invalid_signature', source: 'github' })]);
  });
});

function sign(body: string): string {
  return `sha256=${createHmac('sha256', TEST_SECRET).update(body).digest('hex')}`;
}

test('two signature headers get 401', async () => {
  const store = await database.newStore();
  const { handler, counter } = webhookHandler(store);
  const event = delivery({ body: eventBody('evt-1') });
  const signature = sign(eventBody('evt-1'));
  (event.multiValueHeaders as Record<string, string[]>)['X-Signature-256'] = [signature, signature];

  const response = await handler(event, lambdaContext());

  expect(response.statusCode).toBe(401);
  expect(problemOf(response).detail).toBe('The delivery has 2 X-Signature-256 headers; send exactly one.');
  expect(counter.runs).toBe(0);
});

test('header name and hex case do not matter', async () => {
  const store = await database.newStore();
  const { handler, counter } = webhookHandler(store);
  const body = eventBody('evt-1');

  const response = await handler(delivery({ body, secret: null, headers: { 'x-signature-256': sign(body).toUpperCase().replace('SHA256=', 'sha256=') } }), lambdaContext());

  expect(response.statusCode).toBe(200);
  expect(counter.runs).toBe(1);
});

test('base64 body is checked after decoding', async () => {
  const store = await database.newStore();
  const { handler, counter } = webhookHandler(store);
  const body = eventBody('evt-1');

  const decoded = await handler(delivery({ body, base64: true }), lambdaContext());
  const signedEncoded = await handler(
    delivery({ body, base64: true, signature: sign(Buffer.from(body).toString('base64')) }),
    lambdaContext(),
  );

  expect(decoded.statusCode).toBe(200);
  expect(signedEncoded.statusCode).toBe(401);
  expect(counter.runs).toBe(1);
});

test('binary body is checked byte for byte', async () => {
  const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x7b]);
  const { handler, counter } = signatureOnlyHandler();
  const event = delivery({ body: 'placeholder', signature: `sha256=${createHmac('sha256', TEST_SECRET).update(bytes).digest('hex')}` });
  Object.assign(event, { body: bytes.toString('base64'), isBase64Encoded: true });

  const response = await handler(event, lambdaContext());

  expect(response.statusCode).toBe(200);
  expect(counter.runs).toBe(1);
});

/** A handler behind signature checking only, for cases that do not involve the record store. */
function signatureOnlyHandler(options: Partial<Parameters<typeof webhookSignature>[0]> = {}) {
  const counter = { runs: 0 };
  const handler = middy(async (): Promise<Response> => {
    counter.runs++;
    return { statusCode: 200, body: 'ok' };
  }).use(webhookSignature({ secrets, logger: memoryLogger(), ...options }));
  return { handler, counter };
}

test('unknown source gets 404 and stores nothing', async () => {
  const store = await database.newStore();
  const logger = memoryLogger();
  const { handler, counter } = webhookHandler(store, { logger });

  const response = await handler(delivery({ source: 'gitlab', body: eventBody('evt-1') }), lambdaContext());

  expect(response.statusCode).toBe(404);
  expect(problemOf(response)).toMatchObject({
    code: 'webhook_source_unknown',
    detail: 'No webhook secret is configured for the source "gitlab". Check the source name in the URL.',
  });
  expect(counter.runs).toBe(0);
  expect(await itemCount(store)).toBe(0);
  expect(logger.lines[0]).toMatchObject({ outcome: 'source_unknown', source: 'gitlab' });
});

test('failed secret load gets 503', async () => {
  const store = await database.newStore();
  const logger = memoryLogger();
  const failing: WebhookSecrets = async () => {
    throw new Error('Secrets Manager timed out');
  };
  const { handler, counter } = webhookHandler(store, { secrets: failing, logger });

  const response = await handler(delivery({ body: eventBody('evt-1') }), lambdaContext());

  expect(response.statusCode).toBe(503);
  expect(response.headers?.['Retry-After']).toBe('1');
  expect(problemOf(response).code).toBe('webhook_secret_unavailable');
  expect(counter.runs).toBe(0);
  expect(await itemCount(store)).toBe(0);
  expect(logger.lines[0]).toMatchObject({
    level: 'error',
    outcome: 'secret_unavailable',
    error: { name: 'Error', message: 'Secrets Manager timed out' },
  });
});

test('logs never contain the secret', async () => {
  const logger = memoryLogger();
  const { handler } = signatureOnlyHandler({ logger });

  await handler(delivery({ body: eventBody('evt-1'), secret: 'wrong' }), lambdaContext());

  expect(logger.lines).toHaveLength(1);
  expect(JSON.stringify(logger.lines)).not.toContain(TEST_SECRET);
});

test('body parser before it is an error', async () => {
  const handler = middy(async () => ({ statusCode: 200, body: 'ok' }))
    .use(httpJsonBodyParser())
    .use(webhookSignature({ secrets, logger: memoryLogger() }));

  await expect(handler(delivery({ body: eventBody('evt-1') }) as never, lambdaContext())).rejects.toThrow(
    /webhookSignature\(\) found an already parsed body \(object\).*Use webhookSignature\(\) before any body parser/,
  );
});

test('body parser after it sees the checked body', async () => {
  let text: unknown;
  const handler = middy(async (event: { body: { data: { text: string } } }) => {
    text = event.body.data.text;
    return { statusCode: 200, body: 'ok' };
  })
    .use(webhookSignature({ secrets, logger: memoryLogger() }))
    .use(httpJsonBodyParser());

  const response = await handler(delivery({ body: eventBody('evt-1', 'hello') }) as never, lambdaContext());

  expect(response.statusCode).toBe(200);
  expect(text).toBe('hello');
});

test('event without source is an error', async () => {
  const { handler } = signatureOnlyHandler();
  const event = delivery({ body: eventBody('evt-1') });
  event.pathParameters = null;

  await expect(handler(event, lambdaContext())).rejects.toThrow(/found no webhook source: route the function at a path with a \{source\} parameter/);
});

test('getSource and headerName options apply', async () => {
  const body = eventBody('evt-1');
  const { handler, counter } = signatureOnlyHandler({ getSource: () => 'github', headerName: 'X-Hub-Signature-256' });
  const event = delivery({ source: 'ignored', body, secret: null, headers: { 'X-Hub-Signature-256': sign(body) } });

  const response = await handler(event, lambdaContext());

  expect(response.statusCode).toBe(200);
  expect(counter.runs).toBe(1);
});

test('ALB multi-value event gets multi-value problem', async () => {
  const { handler } = signatureOnlyHandler({ getSource: () => 'github' });
  const event = albEvent({ path: '/v1/webhooks/github', body: eventBody('evt-1') }, true);

  const response = await handler(event, lambdaContext());

  expect(response.statusCode).toBe(401);
  expect(response.headers).toBeUndefined();
  expect(response.multiValueHeaders?.['Content-Type']).toEqual(['application/problem+json']);
});

test('shared secret serves every source', async () => {
  const { handler, counter } = signatureOnlyHandler({ secrets: sharedWebhookSecret(TEST_SECRET) });

  const github = await handler(delivery({ source: 'github', body: eventBody('evt-1') }), lambdaContext());
  const stripe = await handler(delivery({ source: 'stripe', body: eventBody('evt-1') }), lambdaContext());

  expect([github.statusCode, stripe.statusCode]).toEqual([200, 200]);
  expect(counter.runs).toBe(2);
});

describe('option checks', () => {
  test.each([
    [{}, 'webhookSignature() needs { secrets }, which returns the shared secret of each webhook source.'],
    [{ secrets: 'shh' }, 'webhookSignature() option "secrets" must be a function; received "shh".'],
    [{ secrets, headerName: 'X Signature' }, 'webhookSignature() option "headerName" must be a valid HTTP header name; received "X Signature".'],
    [{ secrets, header: 'X-Signature' }, /webhookSignature\(\) has no option "header". Valid options are: secrets, headerName, getSource, logger\./],
  ])('rejects %j', (options, message) => {
    expect(() => webhookSignature(options as never)).toThrow(message);
  });

  test('errors are option errors', () => {
    expect(() => webhookSignature({ secrets, headerName: '' })).toThrow(IdempotencyOptionError);
    expect(() => webhookSignature({} as never)).toThrow(IdempotencyOptionError);
  });

  test('rejects an empty shared secret', () => {
    expect(() => sharedWebhookSecret('')).toThrow('sharedWebhookSecret() secret must be a non-empty string; received an empty string.');
  });
});
