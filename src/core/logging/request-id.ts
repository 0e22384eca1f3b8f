import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's request id if it is sane (bounded length, no injection), else a new UUID. */
export function acceptOrCreateRequestId(candidate: unknown): string {
  const value: unknown = Array.isArray(candidate) ? (candidate as unknown[])[0] : candidate;
  if (Buffer.isBuffer(value)) return acceptOrCreateRequestId(value.toString('utf8'));
  return typeof value === 'string' && ACCEPTABLE.test(value) ? value : randomUUID();
}

/**
 * The id pino-http assigned to an HTTP request. pino-http works on the Node request, which
 * Fastify wraps (`request.raw`); Fastify's own `request.id` is a different counter.
 */
export function requestIdOf(request: { id?: unknown; raw?: { id?: unknown } }): string | undefined {
  const id = request.raw ? request.raw.id : request.id;
  return typeof id === 'string' ? id : undefined;
}
