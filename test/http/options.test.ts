import { randomBytes } from 'node:crypto';
import middy from '@middy/core';
import { IdempotencyOptionError, idempotent, type IdempotentOptions } from '../../lib/index.js';
import { httpApiEvent, lambdaContext, memoryLogger, restEvent } from '../support/events.js';
import { createdResponse, readProblem, type TestResponse } from '../support/responses.js';
import { useTestDatabase } from '../support/store.js';

const database = useTestDatabase();

const post = (init: Parameters<typeof restEvent>[0] = {}) =>
  restEvent({ ...init, headers: { 'Idempotency-Key': 'key-1', ...init.headers } });

async function setup(options: IdempotentOptions = {}, response: unknown = createdResponse()) {
  const { store, transport } = await database.newFaultyStore();
  const handler = jest.fn(async (): Promise<TestResponse> => structuredClone(response) as TestResponse);
  const lambda = middy(handler).use(idempotent({ store, logger: memoryLogger(), ...options }));
  return { store, transport, handler, lambda };
}

describe('option checks', () => {
  test('unknown option is rejected', () => {
    const build = () => idempotent({ ttl: 60 } as IdempotentOptions);

    expect(build).toThrow(IdempotencyOptionError);
    expect(build).toThrow(/"ttl"/);
  });

  const invalid: Array<[keyof IdempotentOptions, unknown]> = [
    ['store', {}],
    ['ttlSeconds', 0],
    ['ttlSeconds', 1.5],
    ['headerName', ''],
    ['headerName', 'Idempotency Key'],
    ['required', 'yes'],
    ['scope', 'apiKeyId'],
    ['shouldSave', true],
    ['inProgressWaitMs', -1],
    ['inProgressWaitMs', Infinity],
    ['logger', { info: () => undefined }],
    ['clock', 0],
    ['localCache', { maxEntries: 0 }],
    ['localCache', 'yes'],
    ['replayHeaders', 'ETag'],
    ['replayHeaders', ['bad header']],
    ['getKey', 'deliveryId'],
  ];

  test.each(invalid)('invalid %s %p is rejected', (name, value) => {
    const build = () => idempotent({ [name]: value } as IdempotentOptions);

    expect(build).toThrow(IdempotencyOptionError);
    expect(build).toThrow(`"${name}"`);
  });

  test('NaN is named in the error', () => {
    expect(() => idempotent({ inProgressWaitMs: NaN })).toThrow('received NaN');
  });

  test('non-object options are rejected', () => {
    expect(() => idempotent(null as never)).toThrow(IdempotencyOptionError);
  });

  test('every valid option is accepted', async () => {
    const store = await database.newStore();
    const options: Required<IdempotentOptions> = {
      store,
      ttlSeconds: 3600,
      headerName: 'X-Request-Key',
      required: true,
      scope: () => 'tenant-1',
      shouldSave: () => true,
      inProgressWaitMs: 500,
      logger: memoryLogger(),
      clock: Date.now,
      localCache: { maxEntries: 10 },
      replayHeaders: ['X-Post-Version'],
      getKey: () => 'key-1',
    };

    expect(() => idempotent(options)).not.toThrow();
  });
});

describe('default store', () => {
  const saved = process.env.IDEMPOTENCY_TABLE_NAME;
  afterEach(() => {
    if (saved === undefined) delete process.env.IDEMPOTENCY_TABLE_NAME;
    else process.env.IDEMPOTENCY_TABLE_NAME = saved;
  });

  test('missing table name fails at build', () => {
    delete process.env.IDEMPOTENCY_TABLE_NAME;

    const build = () => idempotent({ logger: memoryLogger() });

    expect(build).toThrow(IdempotencyOptionError);
    expect(build).toThrow(/IDEMPOTENCY_TABLE_NAME/);
  });

  test('table name from environment builds', () => {
    process.env.IDEMPOTENCY_TABLE_NAME = 'idempotency';

    expect(() => idempotent({ logger: memoryLogger() })).not.toThrow();
  });
});

describe('scope', () => {
  test('API key id wins over API key', async () => {
    const { handler, lambda } = await setup();

    await lambda(post({ apiKeyId: 'key-id-1', apiKey: 'secret-a' }), lambdaContext());
    await lambda(post({ apiKeyId: 'key-id-1', apiKey: 'secret-b' }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('principal separates callers', async () => {
    const { handler, lambda } = await setup();

    await lambda(post({ apiKeyId: null, apiKey: null, principalId: 'user-a' }), lambdaContext());
    await lambda(post({ apiKeyId: null, apiKey: null, principalId: 'user-b' }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(2);
  });

  test('JWT subject separates callers', async () => {
    const { handler, lambda } = await setup();
    const event = (sub: string) => {
      const built = httpApiEvent({ headers: { 'idempotency-key': 'key-1' } });
      (built.requestContext as Record<string, unknown>).authorizer = { jwt: { claims: { sub } } };
      return built;
    };

    await lambda(event('user-a'), lambdaContext());
    await lambda(event('user-b'), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(2);
  });

  test('anonymous callers share scope', async () => {
    const { handler, lambda } = await setup();

    await lambda(post({ apiKeyId: null, apiKey: null }), lambdaContext());
    await lambda(httpApiEvent({ headers: { 'idempotency-key': 'key-1' } }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('custom scope separates callers', async () => {
    const { handler, lambda } = await setup({ scope: (event) => event.headers['X-Tenant'] });

    await lambda(post({ headers: { 'X-Tenant': 'tenant-a' } }), lambdaContext());
    await lambda(post({ headers: { 'X-Tenant': 'tenant-b' } }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(2);
  });

  test('empty custom scope raises', async () => {
    const { handler, lambda } = await setup({ scope: () => '' });

    await expect(lambda(post(), lambdaContext())).rejects.toThrow(TypeError);

    expect(handler).not.toHaveBeenCalled();
  });
});

describe('shouldSave', () => {
  test('default releases server errors', async () => {
    const { store, handler, lambda } = await setup({}, { statusCode: 500, body: 'failed' });

    await lambda(post(), lambdaContext());
    const items = await database.items(store);
    await lambda(post(), lambdaContext());

    expect(items).toEqual([]);
    expect(handler).toHaveBeenCalledTimes(2);
  });

  test('default saves client errors', async () => {
    const { handler, lambda } = await setup({}, { statusCode: 404, body: 'not found' });

    await lambda(post(), lambdaContext());
    const replay = await lambda(post(), lambdaContext());

    expect(replay.statusCode).toBe(404);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('custom function decides', async () => {
    const shouldSave = jest.fn((response: unknown) => (response as TestResponse).statusCode < 400);
    const { handler, lambda } = await setup({ shouldSave }, { statusCode: 409, body: 'duplicate title' });

    await lambda(post(), lambdaContext());
    await lambda(post(), lambdaContext());

    expect(shouldSave).toHaveBeenCalledWith({ statusCode: 409, body: 'duplicate title' });
    expect(handler).toHaveBeenCalledTimes(2);
  });
});

describe('getKey', () => {
  const fromBody = (_request: unknown, event: { body: string }) => JSON.parse(event.body).deliveryId;

  test('reads key from the body', async () => {
    const { handler, lambda } = await setup({ getKey: fromBody });

    await lambda(restEvent({ body: '{"deliveryId":"d-1"}' }), lambdaContext());
    const replay = await lambda(restEvent({ body: '{"deliveryId":"d-1"}' }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(1);
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
  });

  test('non-string key is a clear error', async () => {
    const { handler, lambda } = await setup({ getKey: () => 5 as never });

    await expect(lambda(restEvent(), lambdaContext())).rejects.toThrow(
      'The idempotent() getKey function returned number; return a string, or undefined when the request has no key.',
    );
    expect(handler).not.toHaveBeenCalled();
  });

  test('no key runs normally', async () => {
    const { store, handler, lambda } = await setup({ getKey: fromBody });

    await lambda(restEvent({ body: '{}' }), lambdaContext());
    await lambda(restEvent({ body: '{}' }), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(2);
    expect(await database.items(store)).toEqual([]);
  });

  test('invalid key answers 400', async () => {
    const { handler, lambda } = await setup({ getKey: fromBody });

    const response = await lambda(restEvent({ body: '{"deliveryId":"d 1"}' }), lambdaContext());

    expect(readProblem(response).code).toBe('idempotency_key_invalid');
    expect(handler).not.toHaveBeenCalled();
  });

  test('required missing key answers 400', async () => {
    const { lambda } = await setup({ getKey: fromBody, required: true });

    const response = await lambda(restEvent({ body: '{}' }), lambdaContext());

    expect(readProblem(response).code).toBe('idempotency_key_missing');
    expect(readProblem(response).detail).not.toMatch(/Idempotency-Key header/);
  });
});

describe('localCache', () => {
  test('cached replay equals a stored replay', async () => {
    const store = await database.newStore();
    const handler = async () => ({ items: [1], at: new Date(0) });
    const event = () => restEvent({ headers: { 'Idempotency-Key': 'cache-copy' } });
    const cachedLambda = middy(handler).use(idempotent({ store, logger: memoryLogger(), localCache: true }));
    const first = (await cachedLambda(event(), lambdaContext())) as { items: number[] };
    first.items.push(2);

    const fromCache = await cachedLambda(event(), lambdaContext());
    const fromStore = await middy(handler).use(idempotent({ store, logger: memoryLogger() }))(event(), lambdaContext());

    expect(fromCache).toEqual({ items: [1], at: '1970-01-01T00:00:00.000Z' });
    expect(fromCache).toEqual(fromStore);
  });

  test('replays with no DynamoDB calls', async () => {
    const { transport, handler, lambda } = await setup({ localCache: true });
    await lambda(post(), lambdaContext());
    transport.resetCalls();

    const replay = await lambda(post(), lambdaContext());

    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
    expect(transport.calls).toEqual([]);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  test('conflicts with no DynamoDB calls', async () => {
    const { transport, lambda } = await setup({ localCache: true });
    await lambda(post({ body: '{"title":"Hi"}' }), lambdaContext());
    transport.resetCalls();

    const conflict = await lambda(post({ body: '{"title":"Bye"}' }), lambdaContext());

    expect(readProblem(conflict).code).toBe('idempotency_conflict');
    expect(transport.calls).toEqual([]);
  });

  test('fills from a replayed record', async () => {
    const { store, transport, handler } = await setup();
    const options = { store, logger: memoryLogger(), localCache: true };
    await middy(handler).use(idempotent(options))(post(), lambdaContext());
    const lambda = middy(handler).use(idempotent(options));
    await lambda(post(), lambdaContext());
    transport.resetCalls();

    await lambda(post(), lambdaContext());

    expect(transport.calls).toEqual([]);
  });

  test('evicts beyond maxEntries', async () => {
    const { transport, lambda } = await setup({ localCache: { maxEntries: 1 } });
    await lambda(post({ headers: { 'Idempotency-Key': 'key-1' } }), lambdaContext());
    await lambda(post({ headers: { 'Idempotency-Key': 'key-2' } }), lambdaContext());
    transport.resetCalls();

    await lambda(post({ headers: { 'Idempotency-Key': 'key-1' } }), lambdaContext());

    expect(transport.count('PutItem')).toBe(1);
  });

  test('replays oversized body as omitted', async () => {
    const body = randomBytes(500 * 1024).toString('base64');
    const { lambda } = await setup({ localCache: true }, { statusCode: 200, body });
    await lambda(post(), lambdaContext());

    const replay = await lambda(post(), lambdaContext());

    expect(replay.body).toBeUndefined();
    expect(replay.headers?.['Idempotent-Body-Omitted']).toBe('true');
  });

  test('skips released records', async () => {
    const { handler, lambda } = await setup({ localCache: true }, { statusCode: 503, body: 'busy' });

    await lambda(post(), lambdaContext());
    await lambda(post(), lambdaContext());

    expect(handler).toHaveBeenCalledTimes(2);
  });
});
