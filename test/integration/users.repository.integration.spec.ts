import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { databaseSettings } from '../../src/core/config/config';
import { parseEnv } from '../../src/core/config/env.schema';
import { DatabaseBreaker } from '../../src/core/database/database.breaker';
import { DatabaseClient } from '../../src/core/database/database.client';
import { PgliteClient } from '../../src/core/database/pglite.client';
import { PostgresClient } from '../../src/core/database/postgres.client';
import { ErrorCode } from '../../src/core/errors/error-codes';
import { UserEmailTakenError } from '../../src/modules/users/users.errors';
import { DrizzleUsersRepository } from '../../src/modules/users/users.repository';
import { createTestDatabase } from '../support/infra';

const breaker = (client: DatabaseClient) => new DatabaseBreaker(client, databaseSettings(parseEnv({})));

/** The same repository contract on both drivers: embedded PGlite and the real Postgres server. */
const drivers: [string, () => Promise<{ client: DatabaseClient; cleanup: () => Promise<void> }>][] = [
  ['pglite', async () => ({ client: new PgliteClient('memory://'), cleanup: async () => undefined })],
  [
    'postgres',
    async () => {
      const database = await createTestDatabase();
      return {
        client: new PostgresClient({ url: database.url, poolMax: 5, connectTimeoutMs: 2000 }),
        cleanup: database.drop,
      };
    },
  ],
];

describe.each(drivers)('DrizzleUsersRepository on %s', (_name, make) => {
  let client: DatabaseClient;
  let cleanup: () => Promise<void>;
  let repository: DrizzleUsersRepository;

  beforeAll(async () => {
    ({ client, cleanup } = await make());
    await client.migrate();
    repository = new DrizzleUsersRepository(client, breaker(client));
  });
  afterAll(async () => {
    await client.close();
    await cleanup();
  });

  it('inserts, finds, updates and deletes', async () => {
    const user = await repository.insert({ name: 'Ada', email: 'ada@repo.test', age: 36 });
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(await repository.findById(user.id)).toEqual(user);
    const updated = await repository.update(user.id, { age: 37 });
    expect(updated).toMatchObject({ id: user.id, age: 37, email: 'ada@repo.test' });
    expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(user.updatedAt.getTime());
    expect(await repository.delete(user.id)).toBe(true);
    expect(await repository.delete(user.id)).toBe(false);
    expect(await repository.findById(user.id)).toBeUndefined();
    expect(await repository.update(user.id, { age: 1 })).toBeUndefined();
  });

  it('lets the database enforce unique emails, on insert and on update', async () => {
    await repository.insert({ name: 'A', email: 'dup@repo.test', age: 1 });
    await expect(repository.insert({ name: 'B', email: 'dup@repo.test', age: 2 })).rejects.toBeInstanceOf(
      UserEmailTakenError,
    );
    const other = await repository.insert({ name: 'C', email: 'other@repo.test', age: 3 });
    await expect(repository.update(other.id, { email: 'dup@repo.test' })).rejects.toMatchObject({
      code: ErrorCode.ALREADY_EXISTS,
    });
  });

  it('lets exactly one of many concurrent creates with the same email win', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => repository.insert({ name: `R${i}`, email: 'race@repo.test', age: i })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.every((r) => r.reason instanceof UserEmailTakenError)).toBe(true);
  });

  it('lists in creation order after a cursor', async () => {
    const created = [];
    for (let i = 0; i < 4; i++)
      created.push(await repository.insert({ name: `L${i}`, email: `l${i}@repo.test`, age: i }));
    const after = await repository.list(100, created[0]!.id);
    const ids = after.map((u) => u.id);
    expect(ids.slice(0, 3)).toEqual(created.slice(1).map((u) => u.id));
    expect(await repository.list(2)).toHaveLength(2);
  });

  it('migrates idempotently', async () => {
    await client.migrate();
    await client.migrate();
    expect(await repository.list(1)).toBeDefined();
  });
});

describe('Postgres migrations', () => {
  it('are safe when several replicas run them at once (advisory lock)', async () => {
    const database = await createTestDatabase();
    const clients = Array.from(
      { length: 4 },
      () => new PostgresClient({ url: database.url, poolMax: 2, connectTimeoutMs: 2000 }),
    );
    try {
      const results = await Promise.allSettled(clients.map((c) => c.migrate()));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      const repository = new DrizzleUsersRepository(clients[0]!, breaker(clients[0]!));
      await repository.insert({ name: 'M', email: 'm@repo.test', age: 1 });
      expect(await repository.list(10)).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await database.drop();
    }
  });
});

describe('npm run db:migrate', () => {
  it('migrates Postgres from the command line, twice at once', async () => {
    const database = await createTestDatabase();
    const cli = resolve(__dirname, '../../dist/core/database/migrate.cli.js');
    try {
      const runs = [0, 1].map(() => {
        const child = spawn(process.execPath, [cli], {
          env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: database.url },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        return once(child, 'exit').then(([code]) => ({ code: code as number, out }));
      });
      const results = await Promise.all(runs);
      expect(results.map((r) => r.code)).toEqual([0, 0]);
      expect(results[0]!.out).toContain('migrations applied (postgres)');
      const client = new PostgresClient({ url: database.url, poolMax: 1, connectTimeoutMs: 2000 });
      try {
        const repository = new DrizzleUsersRepository(client, breaker(client));
        await repository.insert({ name: 'CLI', email: 'cli@repo.test', age: 1 });
        expect(await repository.list(10)).toHaveLength(1);
      } finally {
        await client.close();
      }
    } finally {
      await database.drop();
    }
  });
});
