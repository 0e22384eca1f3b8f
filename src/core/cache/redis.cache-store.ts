import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { closeRedisClient, createRedisClient, RedisClientOptions } from '../redis/redis-client';
import { CacheStore } from './cache.store';

export class RedisCacheStore extends CacheStore {
  readonly backend = 'redis' as const;
  readonly client: Redis;
  private readonly logger = new Logger('Cache');
  private lastError: string | undefined;

  constructor(options: RedisClientOptions) {
    super();
    this.client = createRedisClient(options);
    this.client.on('error', (error: Error) => {
      // Log each distinct failure once, not once per reconnect attempt.
      if (error.message !== this.lastError) this.logger.warn(`redis: ${error.message}`);
      this.lastError = error.message;
    });
    this.client.on('ready', () => {
      if (this.lastError !== undefined) this.logger.log('redis: connection restored');
      this.lastError = undefined;
    });
  }

  /** Waits up to `timeoutMs` for the first connection; never rejects (the cache is optional). */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ready: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ready);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.client.once('ready', onReady);
    });
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(key)) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.client.set(key, value, 'EX', ttlSeconds);
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.client.set(key, value, 'EX', ttlSeconds, 'NX');
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await this.client.del(...keys);
  }

  isAvailable(): boolean {
    return this.client.status === 'ready';
  }

  async close(): Promise<void> {
    await closeRedisClient(this.client);
  }
}
