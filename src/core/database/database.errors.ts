import { AppError, UnavailableError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';

/** SQLSTATEs and socket errors that mean "the database is not reachable", not "the query is wrong". */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
/**
 * "timeout exceeded when trying to connect" is not here on purpose: pg-pool says the same when
 * every connection is busy, and load alone must not open the circuit breaker. It still answers
 * 503 (see translateDatabaseError).
 */
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /Client was closed/i,
  /Client has encountered a connection error/i,
  /PGlite is closed/i,
];

/** Drizzle wraps driver errors (DrizzleQueryError.cause); look through the whole chain. */
function* causeChain(error: unknown): Generator<Record<string, unknown>> {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    yield current as Record<string, unknown>;
    current = (current as { cause?: unknown }).cause;
  }
}

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (const e of causeChain(error)) {
    if (e.code === '23505' && (e.constraint === constraint || String(e.message).includes(constraint))) return true;
  }
  return false;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of causeChain(error)) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code)) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(e.message as string))) return true;
  }
  return false;
}

/**
 * What a repository rethrows for a database error it does not handle itself: UNAVAILABLE for a
 * database that cannot be reached (callers may retry elsewhere), the original error otherwise
 * (it becomes INTERNAL at the edge, logged, never shown).
 */
export function translateDatabaseError(error: unknown): unknown {
  if (isDatabaseUnavailable(error)) return new UnavailableError('The database is unavailable', { cause: error });
  if ([...causeChain(error)].some((e) => /timeout exceeded when trying to connect/i.test(String(e.message)))) {
    return new UnavailableError('The database is busy or unreachable; retry shortly', { cause: error });
  }
  // 57014 query_canceled: statement_timeout, set from the request's deadline, stopped it.
  if (sqlState(error) === '57014')
    return new AppError(ErrorCode.DEADLINE_EXCEEDED, 'The request did not complete within its deadline', {
      cause: error,
    });
  // Class 22 (data exception): a value the database cannot take, so a client error, not ours.
  if (sqlState(error)?.startsWith('22'))
    return new AppError(ErrorCode.INVALID_ARGUMENT, 'A value in the request cannot be stored', { cause: error });
  return error;
}

function sqlState(error: unknown): string | undefined {
  for (const e of causeChain(error)) if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return undefined;
}
