import { ErrorCode } from './error-codes';

/** One bad field of a request, named as the caller sent it. */
export interface FieldViolation {
  field: string;
  message: string;
}

/**
 * The only error type services throw. Its code is stable API; its message is safe to show to
 * callers (never put SQL, stack traces or secrets in it).
 */
export class AppError extends Error {
  /** When set, the caller may retry after this long (HTTP Retry-After, gRPC RetryInfo). */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.name = new.target.name;
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export class ValidationError extends AppError {
  constructor(readonly violations: FieldViolation[]) {
    super(
      ErrorCode.INVALID_ARGUMENT,
      violations.length > 0
        ? `Invalid request: ${violations.map((v) => `${v.field}: ${v.message}`).join('; ')}`
        : 'Invalid request',
    );
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(ErrorCode.NOT_FOUND, message);
  }
}

export class AlreadyExistsError extends AppError {
  constructor(message: string) {
    super(ErrorCode.ALREADY_EXISTS, message);
  }
}

export class UnavailableError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.UNAVAILABLE, message, options);
  }
}
