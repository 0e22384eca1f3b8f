import { HttpException } from '@nestjs/common';
import { AppError, FieldViolation, ValidationError } from './app-error';
import { ERROR_MAPPINGS, ErrorCode, errorCodeForHttpStatus } from './error-codes';

/** What either edge needs to answer an error: all of it safe to send to the caller. */
export interface ResolvedError {
  code: ErrorCode;
  httpStatus: number;
  grpcStatus: number;
  title: string;
  detail: string;
  violations: FieldViolation[];
  /** True when the error was not anticipated: log it with its stack, answer generically. */
  unexpected: boolean;
  retryAfterSeconds?: number;
}

/**
 * Turns anything thrown in a handler into the one shape both edges map from. Only AppErrors and
 * the framework's own HTTP exceptions keep their message; everything else becomes INTERNAL.
 */
export function resolveError(error: unknown): ResolvedError {
  if (error instanceof AppError) {
    const resolved = build(error.code, error.message, error instanceof ValidationError ? error.violations : [], false);
    return error.retryAfterSeconds === undefined
      ? resolved
      : { ...resolved, retryAfterSeconds: error.retryAfterSeconds };
  }
  if (error instanceof HttpException) {
    const httpStatus = error.getStatus();
    const code = errorCodeForHttpStatus(httpStatus);
    const unexpected = httpStatus >= 500;
    return build(code, unexpected ? ERROR_MAPPINGS[code].title : httpExceptionDetail(error), [], unexpected);
  }
  if (isExposedClientError(error)) {
    // http-errors from body parsers (413 entity too large, 415 charset, ...) mark themselves safe.
    return build(errorCodeForHttpStatus(error.status), error.message, [], false);
  }
  return build(ErrorCode.INTERNAL, 'An internal error occurred', [], true);
}

function build(code: ErrorCode, detail: string, violations: FieldViolation[], unexpected: boolean): ResolvedError {
  const mapping = ERROR_MAPPINGS[code];
  return {
    code,
    httpStatus: mapping.http,
    grpcStatus: mapping.grpc,
    title: mapping.title,
    detail,
    violations,
    unexpected,
  };
}

function httpExceptionDetail(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'object' && response !== null && 'message' in response) {
    const message = response.message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.join('; ');
  }
  return error.message;
}

function isExposedClientError(error: unknown): error is { status: number; message: string } {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { status?: unknown; expose?: unknown; message?: unknown };
  return (
    candidate.expose === true &&
    typeof candidate.status === 'number' &&
    candidate.status >= 400 &&
    candidate.status < 500 &&
    typeof candidate.message === 'string'
  );
}
