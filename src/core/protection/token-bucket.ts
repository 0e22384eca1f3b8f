import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { closeRedisClient, createRedisClient } from '../redis/redis-client';

export interface BucketLimits {
  /** Requests allowed at once (bucket size). */
  burst: number;
  /** Sustained requests per second (refill rate). */
  perSecond: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until a request would be allowed again (0 when allowed). */
  retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
}

/** Token buckets keyed by client; in process, or in Redis so replicas share one limit. */
export abstract class TokenBucketStore {
  /**
   * Takes one token; undefined when the store cannot answer (the caller fails open). An
   * in-process store answers at once, without a promise.
   */
  abstract take(key: string, limits: BucketLimits): TakeResult | undefined | Promise<TakeResult | undefined>;
  abstract close(): Promise<void>;
}

export function result(tokensLeft: number, allowed: boolean, limits: BucketLimits): TakeResult {
  return {
    allowed,
    remaining: Math.max(0, Math.floor(tokensLeft)),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokensLeft) / limits.perSecond)),
    resetSeconds: Math.ceil((limits.burst - tokensLeft) / limits.perSecond),
  };
}

export class MemoryTokenBucketStore extends TokenBucketStore {
  private readonly buckets = new LRUCache<string, { tokens: number; at: number }>({ max: 100_000 });

  take(key: string, limits: BucketLimits): TakeResult {
    const now = performance.now();
    const bucket = this.buckets.get(key) ?? { tokens: limits.burst, at: now };
    const tokens = Math.min(limits.burst, bucket.tokens + ((now - bucket.at) / 1000) * limits.perSecond);
    const allowed = tokens >= 1;
    const left = allowed ? tokens - 1 : tokens;
    this.buckets.set(key, { tokens: left, at: now });
    return result(left, allowed, limits);
  }

  close(): Promise<void> {
    this.buckets.clear();
    return Promise.resolve();
  }
}

/** Refill and take in one atomic script, timed by the Redis clock so replicas agree. */
const TAKE_SCRIPT = `
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return { allowed, tostring(tokens) }
`;

export class RedisTokenBucketStore extends TokenBucketStore {
  private readonly redis: Redis & { takeToken(key: string, burst: number, rate: number): Promise<[number, string]> };
  private readonly logger = new Logger('RateLimit');
  private failing = false;

  constructor(url: string, keyPrefix: string, commandTimeoutMs: number) {
    super();
    const redis = createRedisClient({ url, keyPrefix, commandTimeoutMs });
    redis.on('error', () => undefined); // reported once per outage by take()
    redis.defineCommand('takeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    this.redis = redis as typeof this.redis;
  }

  async take(key: string, limits: BucketLimits): Promise<TakeResult | undefined> {
    try {
      const [allowed, tokens] = await this.redis.takeToken(key, limits.burst, limits.perSecond);
      if (this.failing) this.logger.log('rate-limit store is back');
      this.failing = false;
      return result(Number(tokens), allowed === 1, limits);
    } catch (error) {
      if (!this.failing) this.logger.warn(`rate-limit store unreachable, failing open: ${(error as Error).message}`);
      this.failing = true;
      return undefined;
    }
  }

  async close(): Promise<void> {
    await closeRedisClient(this.redis);
  }
}
