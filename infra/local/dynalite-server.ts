import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { Level } from 'level';

export interface DynaliteServer {
  /** For example `http://127.0.0.1:41234`. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite, an in-process DynamoDB-compatible server, on 127.0.0.1. With `path` the data is kept
 * in that folder across restarts; without it the data lives in memory.
 */
export async function startDynalite(options: { port?: number; path?: string } = {}): Promise<DynaliteServer> {
  if (options.path !== undefined) await checkDataFolder(options.path);

  // Tables become ACTIVE at once instead of after dynalite's simulated delay.
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/**
 * Opens the data folder once to see that it is usable. dynalite raises its own open errors as uncaught
 * exceptions on the first request, so a folder locked by another runner would crash the process with
 * "Database is closed" instead of an error that names the folder.
 */
async function checkDataFolder(path: string): Promise<void> {
  const probe = new Level(path);
  try {
    await probe.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new Error(`The data folder ${path} is in use by another runner. Stop that runner, or start with --data DIR or --memory.`);
    }
    throw new Error(`The data folder ${path} cannot be opened: ${cause?.message ?? (error as Error).message}`);
  } finally {
    await probe.close();
  }
}
