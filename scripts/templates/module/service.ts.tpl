import { Injectable } from '@nestjs/common';
import { CacheService } from '../../core/cache/cache.service';
import { New{{Name}}, {{Name}}, {{Name}}Changes, {{Name}}Page } from './{{name-kebab}}.model';
import { {{Name}}NotFoundError } from './{{names-kebab}}.errors';
import { {{Names}}Repository } from './{{names-kebab}}.repository';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Cached {{namesText}} are stored as JSON, so dates come back as strings. */
type Cached{{Name}} = Omit<{{Name}}, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

/**
 * All logic of the {{namesText}} feature, for both transports. Reads go through the cache
 * (cache-aside, TTL from config); every write invalidates the {{nameText}}'s entry.
 */
@Injectable()
export class {{Names}}Service {
  constructor(
    private readonly repository: {{Names}}Repository,
    private readonly cache: CacheService,
  ) {}

  async create(input: New{{Name}}): Promise<{{Name}}> {
    return this.repository.insert({ ...input, name: input.name.trim() });
  }

  async get(id: string): Promise<{{Name}}> {
    const cached = await this.cache.getOrLoad<Cached{{Name}} | {{Name}}>(cacheKey(id), () => this.repository.findById(id));
    if (!cached) throw new {{Name}}NotFoundError(id);
    return revive(cached);
  }

  async list(options: { limit?: number; cursor?: string }): Promise<{{Name}}Page> {
    const limit = Math.min(options.limit || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    // Ask for one more than a page to know whether another page follows.
    const rows = await this.repository.list(limit + 1, options.cursor || undefined);
    const page = rows.slice(0, limit);
    return { {{names}}: page, nextCursor: rows.length > limit ? page[page.length - 1]?.id : undefined };
  }

  async update(id: string, changes: {{Name}}Changes): Promise<{{Name}}> {
    const normalized: {{Name}}Changes = {
      ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
    };
    if (Object.keys(normalized).length === 0) return this.get(id);
    const updated = await this.repository.update(id, normalized);
    await this.cache.invalidate(cacheKey(id));
    if (!updated) throw new {{Name}}NotFoundError(id);
    return updated;
  }

  async delete(id: string): Promise<void> {
    const deleted = await this.repository.delete(id);
    await this.cache.invalidate(cacheKey(id));
    if (!deleted) throw new {{Name}}NotFoundError(id);
  }
}

function cacheKey(id: string): string {
  return `{{names-kebab}}:v1:${id}`;
}

function revive(cached: Cached{{Name}} | {{Name}}): {{Name}} {
  return { ...cached, createdAt: new Date(cached.createdAt), updatedAt: new Date(cached.updatedAt) };
}
