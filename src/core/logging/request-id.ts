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
 * The id an HTTP request was given: Fastify's `request.id` (genReqId, see http-adapter.ts) or the
 * one the Express access-log middleware set; undefined for a request rejected before it.
 */
export function requestIdOf(request: { id?: unknown }): string | undefined {
  return typeof request.id === 'string' ? request.id : undefined;
}
