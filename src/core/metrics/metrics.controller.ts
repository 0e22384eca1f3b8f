import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.guard';
import { AuthorizationHeader } from '../auth/authenticator';
import { httpConfig } from '../config/config';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { ApiProblems } from '../openapi/problem';
import { SkipRateLimit } from '../protection/rate-limit.guard';
import { MetricsEndpoint } from './metrics.server';

interface TextReply {
  header(name: string, value: string): unknown;
}

/** Prometheus scrape endpoint on the HTTP port: open, behind a bearer token, or off, per MANAGEMENT_ACCESS. */
@ApiTags('management')
@Controller()
@Public()
@SkipRateLimit()
export class MetricsController {
  constructor(
    private readonly endpoint: MetricsEndpoint,
    @Inject(httpConfig.KEY) private readonly config: ConfigType<typeof httpConfig>,
  ) {}

  @Get('metrics')
  @ApiOperation({ summary: 'Prometheus metrics', description: 'Open, bearer-only or absent, per MANAGEMENT_ACCESS.' })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text exposition format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiProblems(ErrorCode.UNAUTHENTICATED, ErrorCode.NOT_FOUND)
  async scrape(@Res({ passthrough: true }) reply: TextReply, @AuthorizationHeader() authorization: unknown) {
    // With METRICS_PORT set, the scrape lives there only.
    if (this.config.metricsPort !== undefined) throw new AppError(ErrorCode.NOT_FOUND, 'Cannot GET /metrics');
    const body = await this.endpoint.render(authorization);
    reply.header('content-type', this.endpoint.contentType);
    return body;
  }
}
