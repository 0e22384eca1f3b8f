import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { from, Observable, switchMap } from 'rxjs';
import { protectionConfig } from '../config/config';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { HttpReply, setReplyHeader } from '../http/reply';
import { MetricsService } from '../metrics/metrics.service';
import { clientIdentity } from './client-identity';
import { TokenBucketStore } from './token-bucket';

const SKIP = 'rateLimit:skip';

/** Exempts a controller or handler from rate limiting (health and metrics probes). */
export const SkipRateLimit = () => SetMetadata(SKIP, true);

/**
 * Per-client token bucket on both transports: `RATE_LIMIT_BURST` at once, then
 * `RATE_LIMIT_PER_SECOND`. Over the limit: 429 with Retry-After / RESOURCE_EXHAUSTED with
 * RetryInfo. HTTP answers carry RateLimit-Limit/-Remaining/-Reset. A store that cannot answer
 * lets the request through (fail open): the limiter protects the service, it must never break it.
 * An interceptor placed after the access log (not a guard, which runs before every interceptor),
 * so a rejected call is logged like any other (DESIGN.md request pipeline).
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly store: TokenBucketStore,
    private readonly reflector: Reflector,
    private readonly metrics: MetricsService,
    @Inject(protectionConfig.KEY) private readonly config: ConfigType<typeof protectionConfig>,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return from(this.admit(context)).pipe(switchMap(() => next.handle()));
  }

  private async admit(context: ExecutionContext): Promise<boolean> {
    const { rateLimit } = this.config;
    if (!rateLimit.enabled) return true;
    if (this.reflector.getAllAndOverride<boolean>(SKIP, [context.getHandler(), context.getClass()])) return true;
    const limits = { burst: rateLimit.burst, perSecond: rateLimit.perSecond };
    const taken = await this.store.take(clientIdentity(context, this.config.trustProxyHops), limits);
    if (!taken) return true;
    if (context.getType() === 'http') {
      const reply = context.switchToHttp().getResponse<HttpReply>();
      setReplyHeader(reply, 'ratelimit-limit', String(limits.burst));
      setReplyHeader(reply, 'ratelimit-remaining', String(taken.remaining));
      setReplyHeader(reply, 'ratelimit-reset', String(taken.resetSeconds));
    }
    if (taken.allowed) return true;
    this.metrics.rateLimited.inc({ transport: context.getType() === 'rpc' ? 'grpc' : 'http' });
    throw new AppError(ErrorCode.RESOURCE_EXHAUSTED, 'Rate limit exceeded; retry later', {
      retryAfterSeconds: taken.retryAfterSeconds,
    });
  }
}
