import { BadRequestException, InternalServerErrorException, NotFoundException } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { AppError, UnavailableError, ValidationError } from './app-error';
import { ERROR_MAPPINGS, ErrorCode } from './error-codes';
import { toGrpcError, toProblem } from './errors.filter';
import { decodeBadRequestDetails } from './grpc-status-details';
import { resolveError } from './resolve-error';

describe('resolveError', () => {
  it.each(Object.entries(ERROR_MAPPINGS))('maps %s through the one table', (code, mapping) => {
    const resolved = resolveError(new AppError(code as ErrorCode, 'safe message'));
    expect(resolved).toMatchObject({
      code,
      httpStatus: mapping.http,
      grpcStatus: mapping.grpc,
      detail: 'safe message',
    });
    expect(resolved.unexpected).toBe(false);
  });

  it('follows the DESIGN.md table for the transport codes', () => {
    expect(resolveError(new UnavailableError('db down'))).toMatchObject({
      httpStatus: 503,
      grpcStatus: status.UNAVAILABLE,
    });
    expect(resolveError(new AppError(ErrorCode.FAILED_PRECONDITION, 'x'))).toMatchObject({
      httpStatus: 400,
      grpcStatus: status.FAILED_PRECONDITION,
    });
  });

  it('hides everything about unexpected errors', () => {
    const error = new Error('duplicate key value violates "users_pkey" at select * from users');
    const resolved = resolveError(error);
    expect(resolved).toMatchObject({
      code: 'INTERNAL',
      httpStatus: 500,
      grpcStatus: status.INTERNAL,
      unexpected: true,
    });
    expect(resolved.detail).not.toContain('users');
    expect(resolveError(new InternalServerErrorException('secret')).detail).not.toContain('secret');
    expect(resolveError('a string').code).toBe('INTERNAL');
  });

  it('keeps the messages of framework client errors and exposed http-errors', () => {
    expect(resolveError(new BadRequestException('Unexpected token'))).toMatchObject({
      httpStatus: 400,
      detail: 'Unexpected token',
    });
    expect(resolveError(new NotFoundException('Cannot GET /x'))).toMatchObject({ code: 'NOT_FOUND' });
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, expose: true });
    expect(resolveError(tooLarge)).toMatchObject({ httpStatus: 413, grpcStatus: status.RESOURCE_EXHAUSTED });
    const hidden = Object.assign(new Error('internal detail'), { status: 400, expose: false });
    expect(resolveError(hidden).code).toBe('INTERNAL');
  });

  it('carries field violations to problem+json and to gRPC status details', () => {
    const resolved = resolveError(new ValidationError([{ field: 'email', message: 'must be an email' }]));
    expect(toProblem(resolved, 'req-1')).toEqual({
      type: 'about:blank',
      title: 'Invalid argument',
      status: 400,
      detail: 'Invalid request: email: must be an email',
      code: 'INVALID_ARGUMENT',
      requestId: 'req-1',
      errors: [{ field: 'email', message: 'must be an email' }],
    });
    const grpcError = toGrpcError(resolved);
    expect(grpcError.code).toBe(status.INVALID_ARGUMENT);
    expect(decodeBadRequestDetails(grpcError.metadata)).toEqual([{ field: 'email', message: 'must be an email' }]);
  });
});
