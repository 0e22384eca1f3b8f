import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { ApiHeader } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, map, Observable } from 'rxjs';
import type { Principal } from '../auth/token-verifier';
import { ValidationError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { setResponseHeader, type HeaderSink } from '../grpc/response-headers';
import { HttpReply, setReplyHeader } from '../http/reply';
import { ApiProblems } from '../openapi/problem';
import { IdempotencyService, IdempotentRequest } from './idempotency.service';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,255}$/;

interface HttpRequestLike {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  params?: unknown;
  body?: unknown;
  principal?: Principal;
}

/** What differs per transport: where the key, caller and payload come from, how to mark a replay. */
interface Envelope {
  key: unknown;
  keyField: string;
  /** The verified principal (AuthGuard runs first) or, with auth off, the raw credentials. */
  principal?: Principal;
  authorization: unknown;
  operation: string;
  payload: unknown;
  markReplayed(): void;
}

/**
 * Makes a write safe to retry, on both transports: the `Idempotency-Key` header or
 * `idempotency-key` metadata names the request; the first one runs, repeats get its recorded
 * answer (marked `idempotent-replayed: true`) without running again. Opt in per handler with
 * `@Idempotent()`.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const envelope = context.getType() === 'rpc' ? rpcEnvelope(context) : httpEnvelope(context);
    const key = first(envelope.key);
    if (key === undefined) return next.handle();
    if (!KEY_PATTERN.test(key)) {
      throw new ValidationError([
        { field: envelope.keyField, message: `must be 1-255 characters of A-Z a-z 0-9 . _ : -` },
      ]);
    }
    const request: IdempotentRequest = {
      key,
      caller: envelope.principal ? `principal:${envelope.principal.id}` : callerOf(first(envelope.authorization)),
      operation: envelope.operation,
      requestHash: sha256(`${envelope.operation}\n${canonicalJson(envelope.payload)}`),
    };
    return from(
      this.idempotency.execute<unknown>(request, () => lastValueFrom(next.handle(), { defaultValue: undefined })),
    ).pipe(
      map((result) => {
        if (result.replayed) envelope.markReplayed();
        if (result.outcome === 'error') throw result.error;
        return result.value;
      }),
    );
  }
}

/** Opts a write handler (HTTP or gRPC) into idempotency keys. */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes the request safe to retry: a repeat with the same key gets the recorded answer (marked ' +
        '`idempotent-replayed: true`) without running again. 1-255 characters of A-Z a-z 0-9 . _ : -',
      schema: { type: 'string', maxLength: 255, pattern: '^[A-Za-z0-9._:-]+$' },
    }),
    ApiProblems(ErrorCode.ABORTED, ErrorCode.UNPROCESSABLE),
  );

function httpEnvelope(context: ExecutionContext): Envelope {
  const http = context.switchToHttp();
  const request = http.getRequest<HttpRequestLike>();
  return {
    key: request.headers[IDEMPOTENCY_KEY_HEADER],
    keyField: 'Idempotency-Key',
    principal: request.principal,
    authorization: request.headers.authorization,
    operation: `${request.method} ${request.url.split('?')[0]}`,
    payload: { params: request.params ?? {}, body: request.body ?? null },
    markReplayed: () => setReplyHeader(http.getResponse<HttpReply>(), REPLAYED_HEADER, 'true'),
  };
}

function rpcEnvelope(context: ExecutionContext): Envelope {
  const metadata = context.getArgByIndex<Metadata>(1);
  const call = context.getArgByIndex<HeaderSink & { getPath?(): string; principal?: Principal }>(2);
  return {
    key: metadata.get(IDEMPOTENCY_KEY_HEADER),
    keyField: IDEMPOTENCY_KEY_HEADER,
    principal: call.principal,
    authorization: metadata.get('authorization'),
    operation: call.getPath?.() ?? context.getHandler().name,
    payload: context.getArgByIndex<unknown>(0),
    markReplayed: () => setResponseHeader(call, REPLAYED_HEADER, 'true'),
  };
}

function first(value: unknown): string | undefined {
  const item: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (Buffer.isBuffer(item)) return item.toString('utf8');
  return typeof item === 'string' ? item : undefined;
}

/** Same credentials, same caller; the credentials themselves are never stored. */
function callerOf(authorization: string | undefined): string {
  return authorization ? sha256(authorization) : 'anonymous';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with sorted keys, so the same request always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
