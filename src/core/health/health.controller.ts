import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService } from '@nestjs/terminus';
import { CacheHealthIndicator } from '../cache/cache.health';
import { DatabaseHealthIndicator } from '../database/database.health';
import { ReadinessService } from '../lifecycle/readiness.service';
import { Public } from '../auth/auth.guard';
import { Authenticator, AuthorizationHeader } from '../auth/authenticator';
import { SkipRateLimit } from '../protection/rate-limit.guard';

/** The part of a reply these probes touch; Express and Fastify replies both have it. */
interface StatusReply {
  status(code: number): unknown;
}

/** Probes are public and never rate limited: an orchestrator must always be able to ask. */
const STATUS_SCHEMA = {
  type: 'object',
  properties: { status: { type: 'string' } },
  additionalProperties: true,
} as const;

@ApiTags('management')
@Controller()
@Public()
@SkipRateLimit()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly state: ReadinessService,
    private readonly database: DatabaseHealthIndicator,
    private readonly cache: CacheHealthIndicator,
    private readonly authenticator: Authenticator,
  ) {}

  /**
   * Liveness: answers as long as the event loop does, draining included. Touches no dependency
   * on purpose: a database outage must not get healthy pods restarted.
   */
  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: 200 while the process runs' })
  @ApiOkResponse({ schema: { ...STATUS_SCHEMA, example: { status: 'ok' } } })
  liveness() {
    return { status: 'ok' };
  }

  /**
   * Readiness: not shutting down and the database answers; the cache is reported, not required.
   * The dependency details are shown per MANAGEMENT_ACCESS (public, authenticated callers, nobody).
   */
  @Get('readyz')
  @ApiOperation({
    summary: 'Readiness: 200 when the service should get traffic',
    description: 'The dependency details are shown per MANAGEMENT_ACCESS.',
  })
  @ApiOkResponse({ schema: { ...STATUS_SCHEMA, example: { status: 'ok' } } })
  @ApiServiceUnavailableResponse({
    description: 'Shutting down, or the database is unreachable',
    schema: { ...STATUS_SCHEMA, example: { status: 'shutting_down' } },
  })
  async readiness(@Res({ passthrough: true }) reply: StatusReply, @AuthorizationHeader() authorization: unknown) {
    if (this.state.isShuttingDown()) {
      reply.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'shutting_down' };
    }
    const report = (await this.health
      .check([() => this.database.check(), () => this.cache.check()])
      .catch((error: { getResponse?: () => unknown }) => {
        // Terminus throws a 503 carrying the full report; answer with the report itself.
        reply.status(HttpStatus.SERVICE_UNAVAILABLE);
        return error.getResponse?.() ?? { status: 'error' };
      })) as { status: string };
    return (await this.authenticator.mayManage(authorization)) ? report : { status: report.status };
  }
}
