import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalApi, type LocalApi } from '../../infra/local/local-api.js';

const quiet = () => undefined;
let dataPath: string;
let first: LocalApi;

beforeAll(async () => {
  process.env.AWS_LAMBDA_LOG_LEVEL = 'WARN';
  dataPath = mkdtempSync(join(tmpdir(), 'runner-startup-'));
  first = await startLocalApi({ port: 0, dataPath, log: quiet });
});

afterAll(async () => {
  await first.close();
  rmSync(dataPath, { recursive: true, force: true });
});

test('data folder in use is named', async () => {
  await expect(startLocalApi({ port: 0, dataPath, log: quiet })).rejects.toThrow(
    `The data folder ${dataPath} is in use by another runner. Stop that runner, or start with --data DIR or --memory.`,
  );
});

test('busy port is named', async () => {
  const port = Number(new URL(first.url).port);

  await expect(startLocalApi({ port, log: quiet })).rejects.toThrow(
    `Port ${port} on 127.0.0.1 is in use. Stop the program that uses it, or set PORT to a free port.`,
  );
});

test('first runner still serves after both failures', async () => {
  const response = await fetch(`${first.url}/v1/posts`, { headers: { 'x-api-key': 'startup-key' } });

  expect(response.status).toBe(200);
});
