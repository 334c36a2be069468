import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/tables.js';
import { POSTS_TABLE_VARIABLE } from '../../functions/posts/posts-table.js';
import { TABLE_NAME_VARIABLE } from '../../lib/record.js';
import { lambdaContext, restEvent } from '../support/events.js';
import { useTestDatabase } from '../support/store.js';

const database = useTestDatabase();
let handler: typeof import('../../functions/create-post.js').handler;

beforeAll(async () => {
  const store = await database.newStore();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: database.server.endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_LAMBDA_LOG_LEVEL: 'WARN',
    [TABLE_NAME_VARIABLE]: store.tableName,
    [POSTS_TABLE_VARIABLE]: await database.newPostsTable(),
  });
  ({ handler } = await import('../../functions/create-post.js'));
});

test('location includes the stage prefix', async () => {
  const response = await handler(restEvent({ body: '{"text":"staged"}' }) as never, lambdaContext());
  const { id } = JSON.parse(response.body) as { id: string };

  expect(response.statusCode).toBe(201);
  expect(response.headers?.Location).toBe(`/prod/v1/posts/${id}`);
});

test('body that is not an object is rejected', async () => {
  const response = await handler(restEvent({ body: '["text"]' }) as never, lambdaContext());

  expect(response.statusCode).toBe(400);
  expect(JSON.parse(response.body).code).toBe('invalid_request');
});

test('text that is not a string is rejected', async () => {
  const response = await handler(restEvent({ body: '{"text":42}' }) as never, lambdaContext());

  expect(response.statusCode).toBe(400);
  expect(JSON.parse(response.body).detail).toMatch(/"text" must be a string/);
});

test('event without an API key id is forbidden', async () => {
  const event = restEvent({ body: '{"text":"anonymous"}' }) as { requestContext: { identity: Record<string, unknown> } };
  event.requestContext.identity = {};

  const response = await handler(event as never, lambdaContext());

  expect(response.statusCode).toBe(403);
});
