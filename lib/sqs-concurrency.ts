/** Runs a task once fewer than the limit of tasks are running, and returns its result. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * Creates a limiter that runs at most `maxRunning` tasks at a time, starting waiting tasks in the order
 * they arrived. A finishing task hands its slot straight to the next waiting one.
 */
export function createLimiter(maxRunning: number): Limiter {
  let running = 0;
  const waiting: Array<() => void> = [];

  const acquire = async (): Promise<void> => {
    if (running < maxRunning) {
      running++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };

  const releaseSlot = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };

  return async <T>(task: () => Promise<T>): Promise<T> => {
    await acquire();
    try {
      return await task();
    } finally {
      releaseSlot();
    }
  };
}
