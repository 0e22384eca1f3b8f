import { CacheService } from '../../core/cache/cache.service';
import { CacheStore } from '../../core/cache/cache.store';
import { MemoryCacheStore } from '../../core/cache/memory.cache-store';
import { ErrorCode } from '../../core/errors/error-codes';
import { NewUser, User, UserChanges } from './user.model';
import { UserEmailTakenError, UserNotFoundError } from './users.errors';
import { UsersRepository } from './users.repository';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, UsersService } from './users.service';

class FakeUsersRepository extends UsersRepository {
  readonly rows = new Map<string, User>();
  readonly calls = { findById: 0, list: [] as { limit: number; afterId?: string }[] };
  private next = 0;

  async insert(user: NewUser): Promise<User> {
    if ([...this.rows.values()].some((u) => u.email === user.email)) throw new UserEmailTakenError(user.email);
    const id = `00000000-0000-7000-8000-${String(++this.next).padStart(12, '0')}`;
    const row = { id, ...user, createdAt: new Date(), updatedAt: new Date() };
    this.rows.set(id, row);
    return row;
  }
  async findById(id: string): Promise<User | undefined> {
    this.calls.findById++;
    return this.rows.get(id);
  }
  async list(limit: number, afterId?: string): Promise<User[]> {
    this.calls.list.push({ limit, afterId });
    return [...this.rows.values()].filter((u) => !afterId || u.id > afterId).slice(0, limit);
  }
  async update(id: string, changes: UserChanges): Promise<User | undefined> {
    const row = this.rows.get(id);
    if (!row) return undefined;
    const updated = { ...row, ...changes, updatedAt: new Date() };
    this.rows.set(id, updated);
    return updated;
  }
  async delete(id: string): Promise<boolean> {
    return this.rows.delete(id);
  }
}

/** A cache whose every operation fails, as Redis does while it is down. */
class BrokenCacheStore extends CacheStore {
  readonly backend = 'redis' as const;
  async get(): Promise<string | undefined> {
    throw new Error('Connection is closed');
  }
  async set(): Promise<void> {
    throw new Error('Connection is closed');
  }
  async setIfAbsent(): Promise<void> {
    throw new Error('Connection is closed');
  }
  async delete(): Promise<void> {
    throw new Error('Connection is closed');
  }
  isAvailable() {
    return false;
  }
  async close() {}
}

/** The in-process store, switchable to failing like a Redis that went away and came back. */
class FlakyCacheStore extends MemoryCacheStore {
  down = false;
  private guard<T>(run: () => Promise<T>): Promise<T> {
    return this.down ? Promise.reject(new Error('Connection is closed')) : run();
  }
  override get(key: string) {
    return this.guard(() => super.get(key));
  }
  override set(key: string, value: string, ttl: number) {
    return this.guard(() => super.set(key, value, ttl));
  }
  override setIfAbsent(key: string, value: string, ttl: number) {
    return this.guard(() => super.setIfAbsent(key, value, ttl));
  }
  override isAvailable() {
    return !this.down;
  }
}

const cacheConfig = { redisUrl: undefined, keyPrefix: '', commandTimeoutMs: 100, ttlSeconds: 60, maxItems: 100 };

function setup(store: CacheStore = new MemoryCacheStore(100)) {
  const repository = new FakeUsersRepository();
  const cache = new CacheService(store, cacheConfig);
  return { repository, cache, service: new UsersService(repository, cache) };
}

const ada = { name: '  Ada ', email: ' Ada@Example.COM ', age: 36 };

describe('UsersService', () => {
  it('normalizes name and email on create', async () => {
    const { service } = setup();
    const user = await service.create(ada);
    expect(user).toMatchObject({ name: 'Ada', email: 'ada@example.com', age: 36 });
  });

  it('reads through the cache: the second read does not touch the repository', async () => {
    const { service, repository, cache } = setup();
    const { id } = await service.create(ada);
    const first = await service.get(id);
    const second = await service.get(id);
    expect(repository.calls.findById).toBe(1);
    expect(second).toEqual(first);
    expect(second.createdAt).toBeInstanceOf(Date);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, errors: 0 });
  });

  it('invalidates the cached user on update and on delete', async () => {
    const { service, repository } = setup();
    const { id } = await service.create(ada);
    await service.get(id);
    await service.update(id, { age: 40 });
    expect((await service.get(id)).age).toBe(40);
    expect(repository.calls.findById).toBe(2);
    await service.delete(id);
    await expect(service.get(id)).rejects.toBeInstanceOf(UserNotFoundError);
  });

  it('does not cache misses', async () => {
    const { service, repository } = setup();
    const id = '00000000-0000-7000-8000-000000000099';
    await expect(service.get(id)).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    await expect(service.get(id)).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(repository.calls.findById).toBe(2);
  });

  it('serves from the repository when the cache fails, and counts the errors', async () => {
    const { service, repository, cache } = setup(new BrokenCacheStore());
    const { id } = await service.create(ada);
    expect((await service.get(id)).id).toBe(id);
    await service.update(id, { name: 'Ada L.' });
    expect((await service.get(id)).name).toBe('Ada L.');
    await service.delete(id);
    expect(repository.rows.size).toBe(0);
    expect(cache.stats.errors).toBeGreaterThanOrEqual(4);
  });

  it('never caches a row a read loaded before a concurrent write committed', async () => {
    const { service, repository } = setup();
    const { id } = await service.create(ada);
    // The read loads the old row, then stalls until the write below has committed.
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const findById = repository.findById.bind(repository);
    repository.findById = async (key: string) => {
      const row = await findById(key);
      await stalled;
      return row;
    };
    const slowRead = service.get(id);
    await new Promise((resolve) => setImmediate(resolve));
    repository.findById = findById;
    await service.update(id, { age: 99 });
    release();
    expect((await slowRead).age).toBe(36);
    expect((await service.get(id)).age).toBe(99);
    expect((await service.get(id)).age).toBe(99);
  });

  it('retries invalidations that failed while the cache was down before serving from it again', async () => {
    const store = new FlakyCacheStore(100);
    const { service } = setup(store);
    const { id } = await service.create(ada);
    await service.get(id); // cached
    store.down = true;
    await service.update(id, { age: 50 }); // the invalidation fails
    store.down = false; // ...and the old entry is still in the store
    expect((await service.get(id)).age).toBe(50);
    expect((await service.get(id)).age).toBe(50);
  });

  it('treats a corrupt cache entry as a miss', async () => {
    const store = new MemoryCacheStore(100);
    const { service } = setup(store);
    const { id } = await service.create(ada);
    await store.set(`users:v1:${id}`, '{not json', 60);
    expect((await service.get(id)).id).toBe(id);
  });

  it('leaves a user untouched by an update with no fields', async () => {
    const { service } = setup();
    const created = await service.create(ada);
    const same = await service.update(created.id, {});
    expect(same.updatedAt.getTime()).toBe(created.updatedAt.getTime());
  });

  it('answers NOT_FOUND for updates and deletes of unknown users', async () => {
    const { service } = setup();
    const id = '00000000-0000-7000-8000-000000000042';
    await expect(service.update(id, { age: 1 })).rejects.toBeInstanceOf(UserNotFoundError);
    await expect(service.delete(id)).rejects.toBeInstanceOf(UserNotFoundError);
  });

  it('lets ALREADY_EXISTS from the repository through', async () => {
    const { service } = setup();
    await service.create(ada);
    await expect(service.create({ ...ada, name: 'Other' })).rejects.toMatchObject({ code: ErrorCode.ALREADY_EXISTS });
  });

  it('pages: asks one extra row to know whether a next page exists', async () => {
    const { service, repository } = setup();
    for (let i = 0; i < 5; i++) await service.create({ name: `u${i}`, email: `u${i}@x.io`, age: i });
    const first = await service.list({ limit: 2 });
    expect(first.users).toHaveLength(2);
    expect(first.nextCursor).toBe(first.users[1]!.id);
    const last = await service.list({ limit: 3, cursor: first.nextCursor });
    expect(last.users).toHaveLength(3);
    expect(last.nextCursor).toBeUndefined();
    expect(repository.calls.list).toEqual([
      { limit: 3, afterId: undefined },
      { limit: 4, afterId: first.nextCursor },
    ]);
  });

  it('uses the default page size for 0 and caps it', async () => {
    const { service, repository } = setup();
    await service.list({ limit: 0, cursor: '' });
    await service.list({ limit: 10_000 });
    expect(repository.calls.list).toEqual([
      { limit: DEFAULT_PAGE_SIZE + 1, afterId: undefined },
      { limit: MAX_PAGE_SIZE + 1, afterId: undefined },
    ]);
  });
});
