import { Injectable } from '@nestjs/common';
import { CacheService } from '../../core/cache/cache.service';
import { NewUser, User, UserChanges, UserPage } from './user.model';
import { UserNotFoundError } from './users.errors';
import { UsersRepository } from './users.repository';

export const DEFAULT_PAGE_SIZE = 20;
/** Rows fetched per query by exports; the stream itself is paced by the consumer. */
export const EXPORT_BATCH_SIZE = 200;
export const MAX_PAGE_SIZE = 100;

/** Cached users are stored as JSON, so dates come back as strings. */
type CachedUser = Omit<User, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

/**
 * All logic of the users feature, for both transports. Reads go through the cache
 * (cache-aside, TTL from config); every write invalidates the user's entry.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly repository: UsersRepository,
    private readonly cache: CacheService,
  ) {}

  async create(input: NewUser): Promise<User> {
    return this.repository.insert({ ...input, name: input.name.trim(), email: normalizeEmail(input.email) });
  }

  async get(id: string): Promise<User> {
    const cached = await this.cache.getOrLoad<CachedUser | User>(cacheKey(id), () => this.repository.findById(id));
    if (!cached) throw new UserNotFoundError(id);
    return reviveUser(cached);
  }

  async list(options: { limit?: number; cursor?: string }): Promise<UserPage> {
    const limit = Math.min(options.limit || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    // Ask for one more than a page to know whether another page follows.
    const rows = await this.repository.list(limit + 1, options.cursor || undefined);
    const page = rows.slice(0, limit);
    return { users: page, nextCursor: rows.length > limit ? page[page.length - 1]?.id : undefined };
  }

  /**
   * Every user in creation order, strictly after `afterId` when given. The first batch is read
   * before this resolves, so a database that is down fails the call itself (503 / UNAVAILABLE)
   * rather than a stream already under way; later batches are read one at a time, only when the
   * consumer asks for more, so a slow reader holds back the database reads too.
   */
  async exportAll(afterId?: string): Promise<AsyncIterable<User>> {
    const first = await this.repository.list(EXPORT_BATCH_SIZE, afterId || undefined);
    const repository = this.repository;
    return (async function* () {
      let batch = first;
      for (;;) {
        yield* batch;
        if (batch.length < EXPORT_BATCH_SIZE) return;
        batch = await repository.list(EXPORT_BATCH_SIZE, batch[batch.length - 1]!.id);
      }
    })();
  }

  async update(id: string, changes: UserChanges): Promise<User> {
    const normalized: UserChanges = {
      ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
      ...(changes.email !== undefined ? { email: normalizeEmail(changes.email) } : {}),
      ...(changes.age !== undefined ? { age: changes.age } : {}),
    };
    if (Object.keys(normalized).length === 0) return this.get(id);
    const updated = await this.repository.update(id, normalized);
    await this.cache.invalidate(cacheKey(id));
    if (!updated) throw new UserNotFoundError(id);
    return updated;
  }

  async delete(id: string): Promise<void> {
    const deleted = await this.repository.delete(id);
    await this.cache.invalidate(cacheKey(id));
    if (!deleted) throw new UserNotFoundError(id);
  }
}

function cacheKey(id: string): string {
  return `users:v1:${id}`;
}

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function reviveUser(user: CachedUser | User): User {
  return { ...user, createdAt: new Date(user.createdAt), updatedAt: new Date(user.updatedAt) };
}
