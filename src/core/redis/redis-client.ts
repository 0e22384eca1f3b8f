import Redis from 'ioredis';
import { settlesWithin } from '../lifecycle/settle-within';

export interface RedisClientOptions {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
}

/**
 * A Redis client for the request path (cache, shared rate limits): a request never waits for
 * Redis. No offline queue, bounded commands, one attempt; reconnects in the background, backing
 * off up to 2 s. Callers attach their own 'error' listener (ioredis throws without one).
 */
export function createRedisClient(options: RedisClientOptions): Redis {
  return new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    enableOfflineQueue: false,
    commandTimeout: options.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
}

/** QUIT politely for up to a second, then drop the connection either way. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  // quit() fails when the connection is already down; disconnect() ends it either way.
  await settlesWithin(
    client.quit().catch(() => undefined),
    1_000,
  );
  client.disconnect();
}
