import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
let dataPath: string;

beforeAll(() => {
  dataPath = mkdtempSync(join(tmpdir(), 'local-api-'));
});

afterAll(() => {
  rmSync(dataPath, { recursive: true, force: true });
});

/** Finds a free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the runner as `npm start` does and waits for the line with its URL. */
async function startRunner(port: number): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(TSX, ['infra/local/main.ts', '--data', dataPath], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    const check = setInterval(() => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearInterval(check);
        resolve(match[1] as string);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(check);
      reject(new Error(`runner exited with ${code}: ${output}`));
    });
  });
  return { child, url, output: () => output };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

test('runner serves, stops on SIGINT and keeps data', async () => {
  const port = await freePort();
  const first = await startRunner(port);
  const created = await fetch(`${first.url}/v1/posts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'cli-key', 'Idempotency-Key': 'cli-1' },
    body: '{"text":"kept across restarts"}',
  });
  const exitCode = await stop(first.child);

  expect(first.url).toBe(`http://127.0.0.1:${port}`);
  expect(created.status).toBe(201);
  expect(exitCode).toBe(0);
  expect(first.output()).toMatch(/POST \/v1\/posts 201 \d+ ms/);

  const second = await startRunner(port);
  const replayed = await fetch(`${second.url}/v1/posts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'cli-key', 'Idempotency-Key': 'cli-1' },
    body: '{"text":"kept across restarts"}',
  });
  const listed = (await (await fetch(`${second.url}/v1/posts`, { headers: { 'x-api-key': 'cli-key' } })).json()) as {
    posts: unknown[];
  };
  await stop(second.child);

  expect(replayed.headers.get('idempotent-replayed')).toBe('true');
  expect(listed.posts).toHaveLength(1);
}, 60_000);
