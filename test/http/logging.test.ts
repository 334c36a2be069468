import { randomBytes } from 'node:crypto';
import middy from '@middy/core';
import { idempotent, type IdempotentOptions } from '../../lib/index.js';
import { manualClock } from '../support/clock.js';
import { lambdaContext, memoryLogger, restEvent } from '../support/events.js';
import { storeErrors } from '../support/faults.js';
import { pausedHandler } from '../support/handlers.js';
import { createdResponse } from '../support/responses.js';
import { useTestDatabase } from '../support/store.js';

const database = useTestDatabase();

const SECRET_KEY = 'key-5ecret-1d3a';
const SECRET_API_KEY = 'api-key-5ecret-77b0';
const SECRET_BODY = 'body-5ecret-c41e';

const post = (title = SECRET_BODY) =>
  restEvent({ headers: { 'Idempotency-Key': SECRET_KEY }, apiKeyId: null, apiKey: SECRET_API_KEY, body: JSON.stringify({ title }) });

type Logger = ReturnType<typeof memoryLogger>;

/** Each scenario sends one request with its own logger after any setup, and returns that logger. */
const scenarios: Record<string, () => Promise<Logger>> = {
  claimed: async () => {
    const logger = memoryLogger();
    await middy(async () => createdResponse()).use(idempotent({ store: await database.newStore(), logger }))(post(), lambdaContext());
    return logger;
  },
  replayed: async () => {
    const store = await database.newStore();
    await middy(async () => createdResponse()).use(idempotent({ store, logger: memoryLogger() }))(post(), lambdaContext());
    const logger = memoryLogger();
    await middy(async () => createdResponse()).use(idempotent({ store, logger }))(post(), lambdaContext());
    return logger;
  },
  conflict: async () => {
    const store = await database.newStore();
    await middy(async () => createdResponse()).use(idempotent({ store, logger: memoryLogger() }))(post('Hi'), lambdaContext());
    const logger = memoryLogger();
    await middy(async () => createdResponse()).use(idempotent({ store, logger }))(post(), lambdaContext());
    return logger;
  },
  in_progress: async () => {
    const store = await database.newStore();
    const first = pausedHandler();
    const pending = middy(first.handler).use(idempotent({ store, logger: memoryLogger() }))(post(), lambdaContext());
    await first.started;
    const logger = memoryLogger();
    await middy(async () => createdResponse()).use(idempotent({ store, logger }))(post(), lambdaContext());
    first.finish();
    await pending;
    return logger;
  },
  released: async () => {
    const logger = memoryLogger();
    const lambda = middy(async () => { throw new Error('publish failed'); }).use(idempotent({ store: await database.newStore(), logger }));
    await lambda(post(), lambdaContext()).catch(() => undefined);
    return logger;
  },
  lease_lost: async () => {
    const store = await database.newStore();
    const clock = manualClock();
    const logger = memoryLogger();
    const first = pausedHandler();
    const pending = middy(first.handler, { timeoutEarlyInMillis: 0 }).use(idempotent({ store, clock: clock.now, logger }))(post(), lambdaContext(1_000));
    await first.started;
    clock.advance(1_000);
    await middy(async () => createdResponse()).use(idempotent({ store, clock: clock.now, logger: memoryLogger() }))(post(), lambdaContext());
    first.finish();
    await pending;
    return logger;
  },
  unavailable: async () => {
    const { store, transport } = await database.newFaultyStore();
    transport.fail('PutItem', storeErrors.throttled);
    const logger = memoryLogger();
    await middy(async () => createdResponse()).use(idempotent({ store, logger }))(post(), lambdaContext());
    return logger;
  },
};

test.each(Object.keys(scenarios))('%s request logs one line', async (outcome) => {
  const logger = await scenarios[outcome]!();

  expect(logger.lines).toHaveLength(1);
  expect(logger.lines[0]?.outcome).toBe(outcome);
  expect(logger.lines[0]?.recordId).toMatch(/^[0-9a-f]{64}$/);
  expect(logger.lines[0]?.durationMs).toEqual(expect.any(Number));
});

test.each(Object.keys(scenarios))('%s line hides key, API key and body', async (outcome) => {
  const logger = await scenarios[outcome]!();

  const text = JSON.stringify(logger.lines);
  expect(text).not.toContain(SECRET_KEY);
  expect(text).not.toContain(SECRET_API_KEY);
  expect(text).not.toContain(SECRET_BODY);
});

test('oversized result logs one line', async () => {
  const logger = memoryLogger();
  const body = randomBytes(500 * 1024).toString('base64');
  const lambda = middy(async () => ({ statusCode: 200, body })).use(idempotent({ store: await database.newStore(), logger }));

  await lambda(post(), lambdaContext());

  expect(logger.lines).toHaveLength(1);
  expect(logger.lines[0]).toMatchObject({ level: 'warn', outcome: 'claimed', bodyOmitted: true });
});

test('invalid key line hides key', async () => {
  const logger = memoryLogger();
  const lambda = middy(async () => createdResponse()).use(idempotent({ store: await database.newStore(), logger }));

  await lambda(restEvent({ headers: { 'Idempotency-Key': 'clé-5ecret' } }), lambdaContext());

  expect(logger.lines).toEqual([expect.objectContaining({ outcome: 'key_invalid' })]);
  expect(JSON.stringify(logger.lines)).not.toContain('5ecret');
});

describe('default console logger', () => {
  async function consoleLines(options: Partial<IdempotentOptions>, requests = 1): Promise<Array<Record<string, unknown>>> {
    const written: string[] = [];
    const capture = (line: string) => void written.push(line);
    const info = jest.spyOn(console, 'info').mockImplementation(capture);
    const error = jest.spyOn(console, 'error').mockImplementation(capture);
    const warn = jest.spyOn(console, 'warn').mockImplementation(capture);
    try {
      const lambda = middy(async () => createdResponse()).use(idempotent({ store: await database.newStore(), ...options }));
      for (let request = 0; request < requests; request++) await lambda(post(), lambdaContext());
    } finally {
      info.mockRestore();
      error.mockRestore();
      warn.mockRestore();
    }
    return written.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  test('writes one JSON line per request', async () => {
    const lines = await consoleLines({}, 2);

    expect(lines.map((line) => line.outcome)).toEqual(['claimed', 'replayed']);
    expect(lines[0]).toMatchObject({ level: 'INFO', recordId: expect.stringMatching(/^[0-9a-f]{64}$/), durationMs: expect.any(Number) });
  });

  test('hides key, API key and body', async () => {
    const lines = await consoleLines({}, 2);

    const text = JSON.stringify(lines);
    expect(text).not.toContain(SECRET_KEY);
    expect(text).not.toContain(SECRET_API_KEY);
    expect(text).not.toContain(SECRET_BODY);
  });

  test('writes store errors as ERROR', async () => {
    const { store, transport } = await database.newFaultyStore();
    transport.fail('PutItem', storeErrors.networkDown);

    const lines = await consoleLines({ store });

    expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', outcome: 'unavailable', error: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:8000' } })]);
  });
});
