import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { CacheStore } from './cache.store';

export interface RedisStoreOptions {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
}

export class RedisCacheStore extends CacheStore {
  readonly backend = 'redis' as const;
  readonly client: Redis;
  private readonly logger = new Logger('Cache');
  private lastError: string | undefined;

  constructor(options: RedisStoreOptions) {
    super();
    this.client = new Redis(options.url, {
      keyPrefix: options.keyPrefix,
      // A request never waits for Redis: no offline queue, bounded commands, one attempt.
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      // Keep reconnecting in the background, backing off up to 2s.
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    });
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
    if (this.client.status === 'end') return;
    try {
      await Promise.race([this.client.quit(), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    } catch {
      // quit() fails when the connection is already down; disconnect below ends it either way.
    }
    this.client.disconnect();
  }
}
