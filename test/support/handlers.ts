import { createdResponse, type TestResponse } from './responses.js';

/** A promise with its resolve function, to let a test decide when something happens. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/**
 * A handler that stops until the test calls `finish`, so a request can be held in progress.
 * `started` resolves when the handler begins.
 */
export function pausedHandler(response: TestResponse = createdResponse()) {
  const started = deferred();
  const finished = deferred<TestResponse | Error>();
  const handler = jest.fn(async (): Promise<TestResponse> => {
    started.resolve();
    const outcome = await finished.promise;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  });
  return {
    handler,
    started: started.promise,
    /** Lets the handler return `response`, or throw when given an error. */
    finish: (outcome: TestResponse | Error = response) => finished.resolve(outcome),
  };
}
