import { LRUCache } from 'lru-cache';
import { CacheStore } from './cache.store';

export class MemoryCacheStore extends CacheStore {
  readonly backend = 'memory' as const;
  private readonly lru: LRUCache<string, string>;

  constructor(maxItems: number) {
    super();
    this.lru = new LRUCache<string, string>({ max: maxItems, ttlAutopurge: false });
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.lru.get(key));
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.lru.set(key, value, { ttl: ttlSeconds * 1000 });
    return Promise.resolve();
  }

  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (!this.lru.has(key)) this.lru.set(key, value, { ttl: ttlSeconds * 1000 });
    return Promise.resolve();
  }

  delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.lru.delete(key);
    return Promise.resolve();
  }

  isAvailable(): boolean {
    return true;
  }

  close(): Promise<void> {
    this.lru.clear();
    return Promise.resolve();
  }
}
