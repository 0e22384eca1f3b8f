import { LRUCache } from 'lru-cache';
import { CacheStore } from './cache.store';

export class MemoryCacheStore extends CacheStore {
  readonly backend = 'memory' as const;
  private readonly lru: LRUCache<string, string>;

  constructor(maxItems: number) {
    super();
    this.lru = new LRUCache<string, string>({ max: maxItems, ttlAutopurge: false });
  }

  async get(key: string): Promise<string | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.lru.set(key, value, { ttl: ttlSeconds * 1000 });
  }

  async delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.lru.delete(key);
  }

  isAvailable(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.lru.clear();
  }
}
