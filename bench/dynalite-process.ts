import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface DynaliteProcess {
  endpoint: string;
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./dynalite-main.ts', import.meta.url));

/**
 * Starts dynalite in a child process. Timed runs call this one, so the CPU time dynalite spends on each
 * request is not charged to the middleware that sent it.
 */
export async function startDynaliteProcess(): Promise<DynaliteProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('\n')) resolve(output.trim());
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dynalite process exited with code ${code} before it started listening.`)));
  });

  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
