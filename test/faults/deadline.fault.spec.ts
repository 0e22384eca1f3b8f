import { Metadata, status } from '@grpc/grpc-js';
import { Client } from 'pg';
import request from 'supertest';
import { eventually } from '../support/http';
import { createTestDatabase, lockUsersTable } from '../support/infra';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A query stuck behind a lock outlives its request's deadline: the caller gets 504 /
 * DEADLINE_EXCEEDED, and Postgres itself cancels the query (nothing is left running).
 */
describe('request deadlines reach the database', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let admin: Client;
  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  const blockedQueries = async () => {
    const { rows } = await admin.query<{ n: string }>(
      `select count(*) as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'`,
    );
    return Number(rows[0]!.n);
  };

  async function withApp(env: Record<string, string>, test: (t: TestApp) => Promise<void>) {
    const t = await startTestApp({ DATABASE_URL: database.url, DATABASE_MIGRATE_ON_START: 'true', ...env });
    const lock = await lockUsersTable(database.url);
    try {
      await test(t);
    } finally {
      await lock.release();
      await t.close();
    }
  }

  it('answers 504 over HTTP at REQUEST_TIMEOUT_MS, and Postgres cancels the query', async () => {
    await withApp({ REQUEST_TIMEOUT_MS: '700' }, async (t) => {
      const http = await request(t.httpUrl).get('/users');
      expect(http.status).toBe(504);
      expect(http.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(http.body).toMatchObject({ status: 504, code: 'DEADLINE_EXCEEDED' });
      await eventually(async () => (await blockedQueries()) === 0);
    });
  });

  it("honours the gRPC caller's deadline on the server, down to the query", async () => {
    // A server timeout of a minute: only the caller's 400 ms deadline can end the query early.
    await withApp({ REQUEST_TIMEOUT_MS: '60000' }, async (t) => {
      const error = await new Promise<{ code: number }>((resolve) => {
        t.client.raw.makeUnaryRequest(
          '/user.v1.UserService/ListUsers',
          () => Buffer.alloc(0),
          (b: Buffer) => b,
          {},
          new Metadata(),
          { deadline: Date.now() + 400 },
          (e) => resolve(e as { code: number }),
        );
      });
      expect(error.code).toBe(status.DEADLINE_EXCEEDED);
      await eventually(async () => (await blockedQueries()) === 0, 100, 50);
    });
  });
});
