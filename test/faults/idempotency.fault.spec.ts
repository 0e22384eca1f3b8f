import { Client } from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { eventually, httpRequest } from '../support/http';
import { createTestDatabase, lockUsersTable } from '../support/infra';
import { startService, stopService } from '../support/service-process';
import { startTestApp } from '../support/test-app';

/** Idempotency under real concurrency and a real crash, on the real Postgres server. */

const waitingForLock = async (admin: Client) => {
  const { rows } = await admin.query<{ n: string }>(
    `select count(*) as n from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'users' and not l.granted`,
  );
  return Number(rows[0]!.n) > 0;
};

it('answers 409 with Retry-After while the first request with the key is still running', async () => {
  const database = await createTestDatabase();
  const t = await startTestApp({ DATABASE_URL: database.url, DATABASE_MIGRATE_ON_START: 'true' });
  const admin = new Client({ connectionString: database.url });
  await admin.connect();
  try {
    const lock = await lockUsersTable(database.url);
    const body = { name: 'Slow', email: 'slow@idem.test', age: 1 };
    const first = request(t.httpUrl)
      .post('/users')
      .set('Idempotency-Key', 'in-progress-1')
      .send(body)
      .then((r) => r);
    await eventually(() => waitingForLock(admin));

    const second = await request(t.httpUrl).post('/users').set('Idempotency-Key', 'in-progress-1').send(body);
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('ABORTED');
    expect(second.headers['retry-after']).toBe('1');

    await lock.release();
    const done = await first;
    expect(done.status).toBe(201);
    const replay = await request(t.httpUrl)
      .post('/users')
      .set('Idempotency-Key', 'in-progress-1')
      .send(body)
      .expect(201);
    expect(replay.body).toEqual(done.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  } finally {
    await admin.end();
    await t.close();
    await database.drop();
  }
});

it('a replica killed mid-write, a client retrying with the same key elsewhere: exactly one row', async () => {
  const database = await createTestDatabase();
  const admin = new Client({ connectionString: database.url });
  const dir = mkdtempSync(join(tmpdir(), 'svc-idem-'));
  const start = async () => {
    const { service, http } = await startService({
      DATABASE_URL: database.url,
      DATABASE_MIGRATE_ON_START: 'true',
      PGLITE_DATA_DIR: dir,
    });
    return { service, base: http };
  };
  const body = { name: 'Crash', email: 'crash@idem.test', age: 33 };
  const post = (base: string) =>
    httpRequest(`${base}/users`, { method: 'POST', body, headers: { 'idempotency-key': 'crash-retry-1' } });

  const a = await start();
  await admin.connect();
  let b: Awaited<ReturnType<typeof start>> | undefined;
  try {
    // The write is under way on replica A (inside its transaction, holding the key) when A dies.
    const lock = await lockUsersTable(database.url);
    const inFlight = post(a.base).then(
      () => 'answered',
      () => 'connection lost',
    );
    await eventually(() => waitingForLock(admin));
    a.service.child.kill('SIGKILL');
    expect(await inFlight).toBe('connection lost');
    await lock.release();

    // The client retries through a fresh connection to another replica until it gets an answer.
    b = await start();
    let answer = await post(b.base);
    for (let attempt = 0; attempt < 20 && answer.status === 409; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1000 * Number(answer.headers['retry-after'] ?? 1)));
      answer = await post(b.base);
    }
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject(body);
    const again = await post(b.base);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(JSON.parse(again.body)).toEqual(JSON.parse(answer.body));

    const { rows } = await admin.query<{ n: string }>(`select count(*) as n from users where email = $1`, [body.email]);
    expect(Number(rows[0]!.n)).toBe(1);
  } finally {
    await stopService(a.service, 'SIGKILL');
    if (b) await stopService(b.service);
    await admin.end();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
