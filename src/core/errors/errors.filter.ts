import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { Metadata } from '@grpc/grpc-js';
import { Observable, throwError } from 'rxjs';
import { encodeStatusDetails, STATUS_DETAILS_KEY } from './grpc-status-details';
import { ResolvedError, resolveError } from './resolve-error';
import { abortReply, HttpReply, replyStarted, setReplyHeader, wasAnsweredEarly } from '../http/reply';
import { requestIdOf } from '../logging/request-id';

interface HttpRequest {
  id?: unknown;
  method?: string;
  url?: string;
}

/**
 * The one error edge for both transports: maps every error through the same code table into an
 * RFC 9457 problem+json body (HTTP) or a gRPC status with rich details (RPC). Unexpected errors
 * are logged with their stack here and answered without any internals.
 */
@Catch()
export class ErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    const resolved = resolveError(exception);
    if (host.getType() === 'rpc') {
      if (resolved.unexpected) this.logger.error(exception);
      return throwError(() => toGrpcError(resolved));
    }
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const reply = http.getResponse<HttpReply>();
    // The deadline answered first: the handler's late result is dropped (on Express its write fails
    // with ERR_HTTP_HEADERS_SENT, which is no news); a real failure is still logged.
    const early = wasAnsweredEarly(reply);
    if (resolved.unexpected && !(early && (exception as { code?: unknown } | null)?.code === 'ERR_HTTP_HEADERS_SENT'))
      this.logger.error({ err: exception, url: request.url }, 'unhandled error');
    if (early) return;
    if (replyStarted(reply)) {
      abortReply(reply);
      return;
    }
    const requestId = requestIdOf(request);
    const body = toProblem(resolved, requestId);
    setReplyHeader(reply, 'content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    if (resolved.code === 'UNAUTHENTICATED') setReplyHeader(reply, 'www-authenticate', 'Bearer');
    if (resolved.retryAfterSeconds !== undefined)
      setReplyHeader(reply, 'retry-after', String(resolved.retryAfterSeconds));
    reply.status(resolved.httpStatus).send(JSON.stringify(body));
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  errors?: { field: string; message: string }[];
}

/** RFC 9457's media type, for every error answer over HTTP. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function toProblem(resolved: ResolvedError, requestId: string | undefined): Problem {
  return {
    type: 'about:blank',
    title: resolved.title,
    status: resolved.httpStatus,
    detail: resolved.detail,
    code: resolved.code,
    ...(requestId ? { requestId } : {}),
    ...(resolved.violations.length > 0 ? { errors: resolved.violations } : {}),
  };
}

/**
 * The gRPC status for an error. `appCode` and `unexpected` are for the access line and metrics
 * written where the call ends (AppGrpcServer); grpc-js sends only code, details and metadata.
 */
export function toGrpcError(resolved: ResolvedError): GrpcStatusError {
  const metadata = new Metadata();
  if (resolved.violations.length > 0 || resolved.retryAfterSeconds !== undefined) {
    metadata.set(STATUS_DETAILS_KEY, encodeStatusDetails(resolved.grpcStatus, resolved.detail, resolved));
  }
  return {
    code: resolved.grpcStatus,
    details: resolved.detail,
    metadata,
    appCode: resolved.code,
    unexpected: resolved.unexpected,
  };
}

export interface GrpcStatusError {
  code: number;
  details: string;
  metadata: Metadata;
  appCode?: string;
  unexpected?: boolean;
}
