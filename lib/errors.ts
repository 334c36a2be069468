/**
 * Errors the middleware turns into RFC 9457 problem responses, one class per failure a caller may
 * want to handle, plus the option error raised when the middleware is built.
 */

/** Base class: an HTTP status, a stable machine-readable code and a human-readable detail. */
export class IdempotencyError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  /** Seconds a client should wait before retrying, sent as `Retry-After`. */
  readonly retryAfterSeconds?: number;

  constructor(
    init: { status: number; code: string; title: string; detail: string; retryAfterSeconds?: number },
    options?: { cause?: unknown },
  ) {
    super(init.detail, options);
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** 400: the key is empty, too long or not visible ASCII, or the request carries two different keys. */
export class IdempotencyKeyInvalidError extends IdempotencyError {
  constructor(detail: string) {
    super({ status: 400, code: 'idempotency_key_invalid', title: 'Invalid idempotency key', detail });
  }
}

/** 400: the request has no key and the middleware was built with `required: true`. */
export class IdempotencyKeyMissingError extends IdempotencyError {
  /** @param headerName the key header, or undefined when a `getKey` function reads the key. */
  constructor(headerName: string | undefined) {
    const detail = headerName
      ? `This endpoint requires the ${headerName} header. Send a unique value, such as a UUID, and reuse it when you retry.`
      : 'This endpoint requires an idempotency key, and none was found in the request.';
    super({ status: 400, code: 'idempotency_key_missing', title: 'Missing idempotency key', detail });
  }
}

/** 422: the key was already used for a request with a different body. */
export class IdempotencyConflictError extends IdempotencyError {
  constructor() {
    super({
      status: 422,
      code: 'idempotency_conflict',
      title: 'Idempotency key reused with a different request',
      detail:
        'This idempotency key was already used with a different request body. Use a new key for a new request, or resend the original body.',
    });
  }
}

/** 409: another invocation has the key's lease and did not finish within `inProgressWaitMs`. */
export class IdempotencyInProgressError extends IdempotencyError {
  constructor(retryAfterSeconds: number) {
    super({
      status: 409,
      code: 'idempotency_in_progress',
      title: 'Request with this idempotency key is in progress',
      detail: `A request with this idempotency key is still being processed. Retry after ${retryAfterSeconds} s to receive its response.`,
      retryAfterSeconds,
    });
  }
}

/** 503: the record store failed while claiming, so the handler did not run. */
export class IdempotencyUnavailableError extends IdempotencyError {
  constructor(cause: unknown) {
    super(
      {
        status: 503,
        code: 'idempotency_unavailable',
        title: 'Idempotency store unavailable',
        detail: 'The request was not processed because its idempotency record could not be stored. Retry with the same key.',
        retryAfterSeconds: 1,
      },
      { cause },
    );
  }
}

/** Raised when an option is unknown or invalid, at the moment the middleware is built. */
export class IdempotencyOptionError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyOptionError';
  }
}
