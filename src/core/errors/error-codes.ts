import { status as GrpcStatus } from '@grpc/grpc-js';

/** The stable error codes services throw; the edges map them with the table below. */
export const ErrorCode = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  /** The same request conflicts with one still running (retry later). */
  ABORTED: 'ABORTED',
  /** A request that contradicts an earlier one (an idempotency key reused for another request). */
  UNPROCESSABLE: 'UNPROCESSABLE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

interface Mapping {
  http: number;
  grpc: GrpcStatus;
  title: string;
}

/** One table for both transports (DESIGN.md, "Errors"). */
export const ERROR_MAPPINGS: Readonly<Record<ErrorCode, Mapping>> = {
  INVALID_ARGUMENT: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT, title: 'Invalid argument' },
  UNAUTHENTICATED: { http: 401, grpc: GrpcStatus.UNAUTHENTICATED, title: 'Unauthenticated' },
  PERMISSION_DENIED: { http: 403, grpc: GrpcStatus.PERMISSION_DENIED, title: 'Permission denied' },
  NOT_FOUND: { http: 404, grpc: GrpcStatus.NOT_FOUND, title: 'Not found' },
  ALREADY_EXISTS: { http: 409, grpc: GrpcStatus.ALREADY_EXISTS, title: 'Already exists' },
  FAILED_PRECONDITION: { http: 400, grpc: GrpcStatus.FAILED_PRECONDITION, title: 'Failed precondition' },
  ABORTED: { http: 409, grpc: GrpcStatus.ABORTED, title: 'Conflict, retry later' },
  UNPROCESSABLE: { http: 422, grpc: GrpcStatus.FAILED_PRECONDITION, title: 'Unprocessable request' },
  PAYLOAD_TOO_LARGE: { http: 413, grpc: GrpcStatus.RESOURCE_EXHAUSTED, title: 'Payload too large' },
  RESOURCE_EXHAUSTED: { http: 429, grpc: GrpcStatus.RESOURCE_EXHAUSTED, title: 'Too many requests' },
  DEADLINE_EXCEEDED: { http: 504, grpc: GrpcStatus.DEADLINE_EXCEEDED, title: 'Deadline exceeded' },
  UNAVAILABLE: { http: 503, grpc: GrpcStatus.UNAVAILABLE, title: 'Service unavailable' },
  INTERNAL: { http: 500, grpc: GrpcStatus.INTERNAL, title: 'Internal error' },
};

const BY_HTTP_STATUS = new Map<number, ErrorCode>([
  [400, ErrorCode.INVALID_ARGUMENT],
  [401, ErrorCode.UNAUTHENTICATED],
  [403, ErrorCode.PERMISSION_DENIED],
  [404, ErrorCode.NOT_FOUND],
  [405, ErrorCode.NOT_FOUND],
  [409, ErrorCode.ALREADY_EXISTS],
  [413, ErrorCode.PAYLOAD_TOO_LARGE],
  [415, ErrorCode.INVALID_ARGUMENT],
  [422, ErrorCode.UNPROCESSABLE],
  [429, ErrorCode.RESOURCE_EXHAUSTED],
  [503, ErrorCode.UNAVAILABLE],
  [504, ErrorCode.DEADLINE_EXCEEDED],
]);

/** For errors raised by the framework itself (router 404, body parser 400/413). */
export function errorCodeForHttpStatus(httpStatus: number): ErrorCode {
  return BY_HTTP_STATUS.get(httpStatus) ?? (httpStatus < 500 ? ErrorCode.INVALID_ARGUMENT : ErrorCode.INTERNAL);
}
