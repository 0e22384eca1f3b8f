import { CacheService } from '../../core/cache/cache.service';
import { MemoryCacheStore } from '../../core/cache/memory.cache-store';
import { ErrorCode } from '../../core/errors/error-codes';
import { New{{Name}}, {{Name}}, {{Name}}Changes } from './{{name-kebab}}.model';
import { {{Name}}NotFoundError } from './{{names-kebab}}.errors';
import { {{Names}}Repository } from './{{names-kebab}}.repository';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, {{Names}}Service } from './{{names-kebab}}.service';

class Fake{{Names}}Repository extends {{Names}}Repository {
  readonly rows = new Map<string, {{Name}}>();
  readonly calls = { findById: 0, list: [] as { limit: number; afterId?: string }[] };
  private next = 0;

  async insert(input: New{{Name}}): Promise<{{Name}}> {
    const id = `00000000-0000-7000-8000-${String(++this.next).padStart(12, '0')}`;
    const row = { id, ...input, createdAt: new Date(), updatedAt: new Date() };
    this.rows.set(id, row);
    return row;
  }
  async findById(id: string): Promise<{{Name}} | undefined> {
    this.calls.findById++;
    return this.rows.get(id);
  }
  async list(limit: number, afterId?: string): Promise<{{Name}}[]> {
    this.calls.list.push({ limit, afterId });
    return [...this.rows.values()].filter((row) => !afterId || row.id > afterId).slice(0, limit);
  }
  async update(id: string, changes: {{Name}}Changes): Promise<{{Name}} | undefined> {
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

const cacheConfig = { redisUrl: undefined, keyPrefix: '', commandTimeoutMs: 100, ttlSeconds: 60, maxItems: 100 };

function setup() {
  const repository = new Fake{{Names}}Repository();
  const cache = new CacheService(new MemoryCacheStore(100), cacheConfig);
  return { repository, cache, service: new {{Names}}Service(repository, cache) };
}

describe('{{Names}}Service', () => {
  it('trims the name on create and update', async () => {
    const { service } = setup();
    const created = await service.create({ name: '  First ' });
    expect(created.name).toBe('First');
    expect((await service.update(created.id, { name: ' Second  ' })).name).toBe('Second');
  });

  it('reads through the cache: the second read does not touch the repository', async () => {
    const { service, repository, cache } = setup();
    const { id } = await service.create({ name: 'Cached' });
    const first = await service.get(id);
    const second = await service.get(id);
    expect(repository.calls.findById).toBe(1);
    expect(second).toEqual(first);
    expect(second.createdAt).toBeInstanceOf(Date);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, errors: 0 });
  });

  it('invalidates the cached {{nameText}} on update and on delete', async () => {
    const { service, repository } = setup();
    const { id } = await service.create({ name: 'Before' });
    await service.get(id);
    await service.update(id, { name: 'After' });
    expect((await service.get(id)).name).toBe('After');
    expect(repository.calls.findById).toBe(2);
    await service.delete(id);
    await expect(service.get(id)).rejects.toBeInstanceOf({{Name}}NotFoundError);
  });

  it('leaves a {{nameText}} untouched by an update with no fields', async () => {
    const { service } = setup();
    const created = await service.create({ name: 'Same' });
    const same = await service.update(created.id, {});
    expect(same.updatedAt.getTime()).toBe(created.updatedAt.getTime());
  });

  it('answers NOT_FOUND for reads, updates and deletes of unknown {{namesText}}', async () => {
    const { service } = setup();
    const id = '00000000-0000-7000-8000-000000000042';
    await expect(service.get(id)).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    await expect(service.update(id, { name: 'x' })).rejects.toBeInstanceOf({{Name}}NotFoundError);
    await expect(service.delete(id)).rejects.toBeInstanceOf({{Name}}NotFoundError);
  });

  it('pages: asks one extra row to know whether a next page exists', async () => {
    const { service, repository } = setup();
    for (let i = 0; i < 5; i++) await service.create({ name: `n${i}` });
    const first = await service.list({ limit: 2 });
    expect(first.{{names}}).toHaveLength(2);
    expect(first.nextCursor).toBe(first.{{names}}[1]!.id);
    const last = await service.list({ limit: 3, cursor: first.nextCursor });
    expect(last.{{names}}).toHaveLength(3);
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
