import { ErrorCode } from '../errors/error-codes';
import { isDatabaseUnavailable, translateDatabaseError } from './database.errors';

describe('database error translation', () => {
  it('treats a busy pool as 503 without calling the database unreachable (no breaker trip)', () => {
    const busy = new Error('timeout exceeded when trying to connect');
    expect(isDatabaseUnavailable(busy)).toBe(false);
    expect(translateDatabaseError(busy)).toMatchObject({ code: ErrorCode.UNAVAILABLE });
  });

  it('maps connection loss, cancelled statements and bad values', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: { code: '57P01' } }))).toBe(true);
    expect(translateDatabaseError(new Error('q', { cause: { code: '57014' } }))).toMatchObject({
      code: ErrorCode.DEADLINE_EXCEEDED,
    });
    expect(translateDatabaseError(new Error('q', { cause: { code: '22021' } }))).toMatchObject({
      code: ErrorCode.INVALID_ARGUMENT,
    });
    const other = new Error('syntax error');
    expect(translateDatabaseError(other)).toBe(other);
  });
});
