import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { protectionConfig } from '../config/config';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { HttpReply, setReplyHeader } from '../http/reply';
import { MetricsService } from '../metrics/metrics.service';
import { clientIdentity } from './client-identity';
import { BucketLimits, TakeResult, TokenBucketStore } from './token-bucket';

const SKIP = 'rateLimit:skip';

/** Exempts a controller or handler from rate limiting (health and metrics probes). */
export const SkipRateLimit = () => SetMetadata(SKIP, true);

/**
 * Per-client token bucket on both transports: `RATE_LIMIT_BURST` at once, then
 * `RATE_LIMIT_PER_SECOND`. Over the limit: 429 with Retry-After / RESOURCE_EXHAUSTED with
 * RetryInfo. HTTP answers carry RateLimit-Limit/-Remaining/-Reset. A store that cannot answer
 * lets the request through (fail open): the limiter protects the service, it must never break it.
 * A global guard installed after AuthGuard when RATE_LIMIT_ENABLED, so an authenticated caller is
 * limited by who it is; a refusal is logged and counted like any other answer (at each transport's
 * edge).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly skipped = new WeakMap<object, WeakMap<object, boolean>>();

  constructor(
    private readonly store: TokenBucketStore,
    private readonly reflector: Reflector,
    private readonly metrics: MetricsService,
    @Inject(protectionConfig.KEY) private readonly config: ConfigType<typeof protectionConfig>,
  ) {}

  /** RATE_LIMIT_ENABLED */
  get enabled(): boolean {
    return this.config.rateLimit.enabled;
  }

  /**
   * Takes a token for the caller: true when admitted (a promise when the store is remote), throws
   * (or rejects) RESOURCE_EXHAUSTED when not.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const { rateLimit } = this.config;
    if (!rateLimit.enabled || this.skips(context)) return true;
    const limits = { burst: rateLimit.burst, perSecond: rateLimit.perSecond };
    const taken = this.store.take(clientIdentity(context, this.config.trustProxyHops), limits);
    if (taken instanceof Promise) return taken.then((result) => this.apply(context, limits, result));
    return this.apply(context, limits, taken);
  }

  private apply(context: ExecutionContext, limits: BucketLimits, taken: TakeResult | undefined): true {
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

  /** @SkipRateLimit() on the handler or its controller, looked up once per handler. */
  private skips(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.skipped.get(controller);
    if (!byHandler) this.skipped.set(controller, (byHandler = new WeakMap()));
    let skip = byHandler.get(handler);
    if (skip === undefined) {
      skip = this.reflector.getAllAndOverride<boolean>(SKIP, [handler, controller]) === true;
      byHandler.set(handler, skip);
    }
    return skip;
  }
}
