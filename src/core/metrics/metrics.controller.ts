import { Controller, Get, Inject, NotFoundException, Res } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.guard';
import { Authenticator, AuthorizationHeader } from '../auth/authenticator';
import { protectionConfig } from '../config/config';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { ApiProblems } from '../openapi/problem';
import { SkipRateLimit } from '../protection/rate-limit.interceptor';
import { MetricsService } from './metrics.service';

interface TextReply {
  header(name: string, value: string): unknown;
}

/** Prometheus scrape endpoint, open, behind a bearer token, or off, per MANAGEMENT_ACCESS. */
@ApiTags('management')
@Controller()
@Public()
@SkipRateLimit()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly authenticator: Authenticator,
    @Inject(protectionConfig.KEY) private readonly config: ConfigType<typeof protectionConfig>,
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
    if (this.config.managementAccess === 'hidden') throw new NotFoundException('Cannot GET /metrics');
    if (this.config.managementAccess === 'authenticated' && !(await this.authenticator.authenticate(authorization))) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'A valid bearer token is required for /metrics');
    }
    reply.header('content-type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
