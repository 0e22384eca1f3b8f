/**
 * The swappable cache port: Redis when REDIS_URL is set, an in-process LRU otherwise.
 * Implementations may throw; CacheService turns every failure into a miss.
 */
export abstract class CacheStore {
  abstract readonly backend: 'redis' | 'memory';
  abstract get(key: string): Promise<string | undefined>;
  abstract set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets only when the key holds nothing (no value, no tombstone). */
  abstract setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<void>;
  abstract delete(...keys: string[]): Promise<void>;
  /** True when the store can serve commands right now. */
  abstract isAvailable(): boolean;
  abstract close(): Promise<void>;
}
