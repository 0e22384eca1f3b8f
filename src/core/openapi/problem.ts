import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ERROR_MAPPINGS, ErrorCode } from '../errors/error-codes';
import { PROBLEM_CONTENT_TYPE } from '../errors/errors.filter';

class FieldViolation {
  @ApiProperty({ example: 'email' })
  field!: string;

  @ApiProperty({ example: 'email must be an email address' })
  message!: string;
}

/** The RFC 9457 body every HTTP error carries (see ErrorsFilter.toProblem). */
export class Problem {
  @ApiProperty({ example: 'about:blank' })
  type!: string;

  @ApiProperty({ example: 'Invalid argument' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 400 })
  status!: number;

  @ApiProperty({ example: 'Request validation failed' })
  detail!: string;

  @ApiProperty({ enum: Object.values(ErrorCode), description: 'Stable code, the same on gRPC' })
  code!: string;

  @ApiPropertyOptional({ description: 'Echoes the x-request-id header; quote it when reporting a problem' })
  requestId?: string;

  @ApiPropertyOptional({ type: [FieldViolation], description: 'One entry per invalid field (400 only)' })
  errors?: FieldViolation[];
}

const WHEN: Partial<Record<ErrorCode, string>> = {
  INVALID_ARGUMENT: 'The request is invalid; `errors` lists every bad field',
  UNAUTHENTICATED: 'Missing or invalid credentials (when AUTH_MODE is set)',
  NOT_FOUND: 'No such resource',
  ALREADY_EXISTS: 'A unique field is already taken',
  ABORTED: 'The same Idempotency-Key is still being processed; retry after Retry-After',
  UNPROCESSABLE: 'The Idempotency-Key was used for a different request',
  PAYLOAD_TOO_LARGE: 'The body exceeds HTTP_BODY_LIMIT_BYTES',
  RESOURCE_EXHAUSTED: 'Rate limited; retry after Retry-After',
  DEADLINE_EXCEEDED: 'The request did not finish within REQUEST_TIMEOUT_MS',
  UNAVAILABLE: 'A dependency is down or the service is shutting down; retry elsewhere',
  INTERNAL: 'An unexpected error; the log line with the same requestId has the cause',
};

/**
 * Documents the problem+json answers an operation (or every operation of a controller) can
 * give, by error code. Codes sharing a status are described together (Swagger merges the
 * descriptions, also across decorators: `@Idempotent()` adds its own 409).
 */
export function ApiProblems(...codes: ErrorCode[]) {
  return applyDecorators(
    ApiExtraModels(Problem),
    ...codes.map((code) =>
      ApiResponse({
        status: ERROR_MAPPINGS[code].http,
        description: WHEN[code] ?? ERROR_MAPPINGS[code].title,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(Problem) } } },
      }),
    ),
  );
}

/** What any API operation can answer, whatever it does: auth, rate limit, deadline, outages. */
export const ApiCommonProblems = () =>
  ApiProblems(
    ErrorCode.UNAUTHENTICATED,
    ErrorCode.RESOURCE_EXHAUSTED,
    ErrorCode.INTERNAL,
    ErrorCode.UNAVAILABLE,
    ErrorCode.DEADLINE_EXCEEDED,
  );
