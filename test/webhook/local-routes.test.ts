import { startLocalApi, type LocalApi } from '../../infra/local/local-api.js';
import { apiKeyIdFor } from '../../infra/local/proxy-event.js';
import { signWebhookBody } from '../../lib/index.js';
import { eventBody } from './deliveries.js';

let api: LocalApi;
const savedEnvironment = { ...process.env };

beforeAll(async () => {
  delete process.env.WEBHOOK_SECRET;
  delete process.env.WEBHOOK_SECRET_ARN;
  process.env.AWS_LAMBDA_LOG_LEVEL = 'WARN';
  api = await startLocalApi({ port: 0, log: () => undefined });
});

afterAll(async () => {
  await api.close();
  process.env = savedEnvironment;
});

beforeEach(() => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

function postWebhook(source: string, body: string, signature?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== undefined) headers['x-signature-256'] = signature;
  return fetch(`${api.url}/v1/webhooks/${source}`, { method: 'POST', headers, body });
}

function sendToQueue(request: unknown): Promise<Response> {
  return fetch(`${api.url}/_local/queue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
}

async function listPosts(apiKey: string): Promise<string[]> {
  const response = await fetch(`${api.url}/v1/posts?limit=100`, { headers: { 'x-api-key': apiKey } });
  return ((await response.json()) as { posts: Array<{ text: string }> }).posts.map((post) => post.text).sort();
}

test('webhook route accepts the local secret', async () => {
  const body = eventBody('local-evt-1', 'from a local webhook');

  const first = await postWebhook('github', body, signWebhookBody('local-webhook-secret', body));
  const second = await postWebhook('github', body, signWebhookBody('local-webhook-secret', body));

  expect(first.status).toBe(201);
  expect(second.status).toBe(201);
  expect(second.headers.get('idempotent-replayed')).toBe('true');
  expect(await second.text()).toBe(await first.text());
});

test('webhook route rejects a missing signature', async () => {
  const response = await postWebhook('github', eventBody('local-evt-2'));

  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
});

test('queue route returns the batch response', async () => {
  const apiKeyId = apiKeyIdFor('queue-key');
  const request = {
    messages: [
      { messageId: 'local-m1', body: { apiKeyId, text: 'queued one' } },
      { messageId: 'local-m2', body: JSON.stringify({ apiKeyId, text: 'queued two' }) },
      { messageId: 'local-m1', body: { apiKeyId, text: 'queued one' } },
    ],
  };

  const first = await sendToQueue(request);
  const again = await sendToQueue(request);

  expect(first.status).toBe(200);
  expect(await first.json()).toEqual({ batchItemFailures: [] });
  expect(await again.json()).toEqual({ batchItemFailures: [] });
  expect(await listPosts('queue-key')).toEqual(['queued one', 'queued two']);
});

test('queue route accepts FIFO groups', async () => {
  const apiKeyId = apiKeyIdFor('fifo-key');
  const response = await sendToQueue({
    messages: [
      { groupId: 'g1', body: { apiKeyId, text: 'first' } },
      { groupId: 'g1', body: { apiKeyId, text: 'second' } },
    ],
  });

  expect(await response.json()).toEqual({ batchItemFailures: [] });
  expect(await listPosts('fifo-key')).toEqual(['first', 'second']);
});

test.each([
  ['not json', 'The body is not valid JSON.'],
  [{ messages: [] }, '"messages" must be a non-empty array'],
  [{ messages: [{ text: 'no body' }] }, 'messages[0] must be an object with a "body".'],
  [{ messages: [{ body: 'a', groupId: 'g' }, { body: 'b' }] }, 'Either every message has a "groupId"'],
  [{ messages: [{ body: 'a', attributes: { 'Idempotency-Key': 7 } }] }, 'messages[0].attributes must map attribute names to strings'],
])('queue route rejects %j', async (request, message) => {
  const response = await fetch(`${api.url}/_local/queue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof request === 'string' ? request : JSON.stringify(request),
  });

  expect(response.status).toBe(400);
  expect(((await response.json()) as { message: string }).message).toContain(message);
});
