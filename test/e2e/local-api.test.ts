import { startLocalApi, type LocalApi } from '../../infra/local/local-api.js';

let api: LocalApi;
const lines: string[] = [];

beforeAll(async () => {
  // The functions' INFO lines are dropped, as in Lambda with its log level set to WARN.
  process.env.AWS_LAMBDA_LOG_LEVEL = 'WARN';
  api = await startLocalApi({ port: 0, log: (line) => lines.push(line) });
});

afterAll(async () => {
  await api.close();
});

function publish(text: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${api.url}/v1/posts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'key-a', ...headers },
    body: JSON.stringify({ text }),
  });
}

async function listPosts(apiKey: string): Promise<Array<{ id: string; text: string }>> {
  const response = await fetch(`${api.url}/v1/posts?limit=100`, { headers: { 'x-api-key': apiKey } });
  return ((await response.json()) as { posts: Array<{ id: string; text: string }> }).posts;
}

test('retry replays the first response', async () => {
  const first = await publish('replayed post', { 'Idempotency-Key': 'e2e-replay' });
  const second = await publish('replayed post', { 'Idempotency-Key': 'e2e-replay' });

  expect(first.status).toBe(201);
  expect(second.status).toBe(201);
  expect(await second.text()).toBe(await first.text());
  expect(second.headers.get('idempotent-replayed')).toBe('true');
  expect(second.headers.get('location')).toBe(first.headers.get('location'));
  expect((await listPosts('key-a')).filter((post) => post.text === 'replayed post')).toHaveLength(1);
});

test('changed body under one key is a conflict', async () => {
  await publish('original', { 'Idempotency-Key': 'e2e-conflict' });
  const changed = await publish('changed', { 'Idempotency-Key': 'e2e-conflict' });

  expect(changed.status).toBe(422);
  expect(changed.headers.get('content-type')).toBe('application/problem+json');
  expect(((await changed.json()) as { code: string }).code).toBe('idempotency_conflict');
  expect((await listPosts('key-a')).filter((post) => post.text === 'changed')).toHaveLength(0);
});

test('fifty concurrent requests publish once', async () => {
  const responses = await Promise.all(
    Array.from({ length: 50 }, () => publish('concurrent post', { 'x-api-key': 'key-concurrent', 'Idempotency-Key': 'e2e-50' })),
  );
  const statuses = responses.map((response) => response.status);

  expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
  expect(statuses.filter((status) => status === 201).length).toBeGreaterThanOrEqual(1);
  expect(await listPosts('key-concurrent')).toHaveLength(1);
});

test('requests without a key are not deduplicated', async () => {
  await publish('no key', { 'x-api-key': 'key-no-idempotency' });
  await publish('no key', { 'x-api-key': 'key-no-idempotency' });

  expect(await listPosts('key-no-idempotency')).toHaveLength(2);
});

test('same key under two API keys publishes twice', async () => {
  const first = await publish('shared key', { 'x-api-key': 'key-b', 'Idempotency-Key': 'e2e-shared' });
  const second = await publish('shared key', { 'x-api-key': 'key-c', 'Idempotency-Key': 'e2e-shared' });

  expect(first.status).toBe(201);
  expect(second.status).toBe(201);
  expect(second.headers.get('idempotent-replayed')).toBeNull();
  expect(await listPosts('key-b')).toHaveLength(1);
  expect(await listPosts('key-c')).toHaveLength(1);
});

test('posts are private to their API key', async () => {
  const created = await publish('private', { 'x-api-key': 'key-owner' });
  const { id } = (await created.json()) as { id: string };

  const own = await fetch(`${api.url}/v1/posts/${id}`, { headers: { 'x-api-key': 'key-owner' } });
  const other = await fetch(`${api.url}/v1/posts/${id}`, { headers: { 'x-api-key': 'key-stranger' } });

  expect(own.status).toBe(200);
  expect(other.status).toBe(404);
  expect(await listPosts('key-stranger')).toHaveLength(0);
});

test('missing API key is forbidden', async () => {
  const response = await fetch(`${api.url}/v1/posts`, { method: 'POST', body: '{"text":"x"}' });

  expect(response.status).toBe(403);
});

test('invalid JSON is a 400 problem', async () => {
  const response = await fetch(`${api.url}/v1/posts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'key-a', 'Idempotency-Key': 'e2e-invalid' },
    body: '{"text":',
  });

  expect(response.status).toBe(400);
  expect(((await response.json()) as { code: string }).code).toBe('invalid_request');
});

test.each([
  ['empty text', ''],
  ['text over 2000 characters', 'x'.repeat(2001)],
])('%s is a 400 problem', async (_name, text) => {
  const response = await publish(text);

  expect(response.status).toBe(400);
  expect(((await response.json()) as { code: string }).code).toBe('invalid_request');
});

test('text of 2000 characters is published', async () => {
  const response = await publish('y'.repeat(2000));

  expect(response.status).toBe(201);
});

test('corrected body after a 400 publishes', async () => {
  const rejected = await publish('', { 'x-api-key': 'key-corrected', 'Idempotency-Key': 'e2e-corrected' });
  const corrected = await publish('fixed text', { 'x-api-key': 'key-corrected', 'Idempotency-Key': 'e2e-corrected' });

  expect(rejected.status).toBe(400);
  expect(corrected.status).toBe(201);
  expect((await listPosts('key-corrected')).map((post) => post.text)).toEqual(['fixed text']);
});

test('invalid idempotency key is a 400 problem', async () => {
  const response = await publish('bad key', { 'Idempotency-Key': 'x'.repeat(256) });

  expect(response.status).toBe(400);
  expect(((await response.json()) as { code: string }).code).toBe('idempotency_key_invalid');
});

test('list pages with nextToken', async () => {
  for (const text of ['one', 'two', 'three']) await publish(text, { 'x-api-key': 'key-pages' });

  const first = (await (await fetch(`${api.url}/v1/posts?limit=2`, { headers: { 'x-api-key': 'key-pages' } })).json()) as {
    posts: Array<{ text: string }>;
    nextToken?: string;
  };
  const second = (await (
    await fetch(`${api.url}/v1/posts?limit=2&nextToken=${first.nextToken}`, { headers: { 'x-api-key': 'key-pages' } })
  ).json()) as { posts: Array<{ text: string }> };

  expect(first.posts.map((post) => post.text)).toEqual(['one', 'two']);
  expect(second.posts.map((post) => post.text)).toEqual(['three']);
});

test('invalid limit is a 400 problem', async () => {
  const response = await fetch(`${api.url}/v1/posts?limit=0`, { headers: { 'x-api-key': 'key-a' } });

  expect(response.status).toBe(400);
});

test('unknown route is 404', async () => {
  const response = await fetch(`${api.url}/v2/nothing`, { headers: { 'x-api-key': 'key-a' } });

  expect(response.status).toBe(404);
});

test('runner logs one line per request', async () => {
  const before = lines.length;
  await publish('logged', { 'Idempotency-Key': 'e2e-log' });
  await publish('logged', { 'Idempotency-Key': 'e2e-log' });

  expect(lines.slice(before)).toEqual([
    expect.stringMatching(/^POST \/v1\/posts 201 \d+ ms$/),
    expect.stringMatching(/^POST \/v1\/posts 201 \(replayed\) \d+ ms$/),
  ]);
});
