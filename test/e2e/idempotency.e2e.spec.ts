import { Metadata, status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { decodeStatusDetails } from '../../src/core/errors/grpc-status-details';
import { IdempotencyService } from '../../src/core/idempotency/idempotency.service';
import { grpcError } from '../support/grpc-client';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const newKey = () => `key-${randomUUID()}`;
const uniqueEmail = () => `idem-${randomUUID()}@example.com`;
const keyed = (key: string, extra: Record<string, string> = {}) => {
  const metadata = new Metadata();
  metadata.set('idempotency-key', key);
  for (const [k, v] of Object.entries(extra)) metadata.set(k, v);
  return metadata;
};

/** How many users carry this email (a re-run create would add one, or fail with 409). */
async function countByEmail(address: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const res = await request(t.httpUrl)
      .get('/users')
      .query(cursor ? { limit: 100, cursor } : { limit: 100 });
    count += (res.body.items as { email: string }[]).filter((u) => u.email === address).length;
    cursor = res.body.nextCursor;
  } while (cursor);
  return count;
}

describe('Idempotency-Key over HTTP', () => {
  it('runs a create once and replays its answer, marked as a replay', async () => {
    const key = newKey();
    const body = { name: 'Idem', email: uniqueEmail(), age: 30 };
    const first = await request(t.httpUrl).post('/users').set('Idempotency-Key', key).send(body).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await request(t.httpUrl).post('/users').set('Idempotency-Key', key).send(body).expect(201);
    expect(again.text).toBe(first.text); // byte for byte, key order included
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await countByEmail(body.email)).toBe(1);
  });

  it('replays a delete as the original 204, not a 404', async () => {
    const created = await request(t.httpUrl)
      .post('/users')
      .send({ name: 'D', email: uniqueEmail(), age: 1 })
      .expect(201);
    const key = newKey();
    await request(t.httpUrl).delete(`/users/${created.body.id}`).set('Idempotency-Key', key).expect(204);
    const again = await request(t.httpUrl).delete(`/users/${created.body.id}`).set('Idempotency-Key', key).expect(204);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('replays an update with its original answer even after later changes', async () => {
    const created = await request(t.httpUrl)
      .post('/users')
      .send({ name: 'U', email: uniqueEmail(), age: 1 })
      .expect(201);
    const key = newKey();
    const first = await request(t.httpUrl)
      .patch(`/users/${created.body.id}`)
      .set('Idempotency-Key', key)
      .send({ age: 2 });
    await request(t.httpUrl).patch(`/users/${created.body.id}`).send({ age: 3 }).expect(200);
    const again = await request(t.httpUrl)
      .patch(`/users/${created.body.id}`)
      .set('Idempotency-Key', key)
      .send({ age: 2 });
    expect(again.body).toEqual(first.body);
    expect((await request(t.httpUrl).get(`/users/${created.body.id}`)).body.age).toBe(3);
  });

  it('records a final error and replays it', async () => {
    const address = uniqueEmail();
    await request(t.httpUrl).post('/users').send({ name: 'Taken', email: address, age: 1 }).expect(201);
    const key = newKey();
    const body = { name: 'Dup', email: address, age: 2 };
    await request(t.httpUrl).post('/users').set('Idempotency-Key', key).send(body).expect(409);
    const again = await request(t.httpUrl).post('/users').set('Idempotency-Key', key).send(body).expect(409);
    expect(again.body.code).toBe('ALREADY_EXISTS');
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('does not record validation failures: the corrected request may reuse the key', async () => {
    const key = newKey();
    await request(t.httpUrl)
      .post('/users')
      .set('Idempotency-Key', key)
      .send({ name: '', email: 'x', age: -1 })
      .expect(400);
    await request(t.httpUrl)
      .post('/users')
      .set('Idempotency-Key', key)
      .send({ name: 'Ok', email: uniqueEmail(), age: 1 })
      .expect(201);
  });

  it('answers 422 for the same key with a different body or a different caller', async () => {
    const key = newKey();
    const body = { name: 'Same', email: uniqueEmail(), age: 5 };
    await request(t.httpUrl)
      .post('/users')
      .set('Idempotency-Key', key)
      .set('authorization', 'Bearer a')
      .send(body)
      .expect(201);
    const otherBody = await request(t.httpUrl)
      .post('/users')
      .set('Idempotency-Key', key)
      .set('authorization', 'Bearer a')
      .send({ ...body, age: 6 })
      .expect(422);
    expect(otherBody.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(otherBody.body).toMatchObject({ status: 422, code: 'UNPROCESSABLE' });
    await request(t.httpUrl)
      .post('/users')
      .set('Idempotency-Key', key)
      .set('authorization', 'Bearer b')
      .send(body)
      .expect(422);
    await request(t.httpUrl).post('/users').set('Idempotency-Key', key).send(body).expect(422);
  });

  it.each([['x'.repeat(256)], ['has space'], ['semi;colon'], ['']])('rejects a malformed key %#', async (key) => {
    const res = await request(t.httpUrl)
      .post('/users')
      .set('Idempotency-Key', key)
      .send({ name: 'K', email: uniqueEmail(), age: 1 })
      .expect(400);
    expect(res.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
  });

  it('lets exactly one of 20 concurrent creates with the same key run', async () => {
    const key = newKey();
    const body = { name: 'Race', email: uniqueEmail(), age: 9 };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => request(t.httpUrl).post('/users').set('Idempotency-Key', key).send(body)),
    );
    const ok = responses.filter((r) => r.status === 201);
    const inProgress = responses.filter((r) => r.status === 409);
    expect(ok.length + inProgress.length).toBe(20);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ok.map((r) => r.body.id as string)).size).toBe(1);
    for (const r of inProgress) {
      expect(r.body.code).toBe('ABORTED');
      expect(r.headers['retry-after']).toBe('1');
    }
    expect(await countByEmail(body.email)).toBe(1);
  });
});

describe('idempotency records expire', () => {
  it('stops replaying after IDEMPOTENCY_TTL_SECONDS and purges the record', async () => {
    const short = await startTestApp({ IDEMPOTENCY_TTL_SECONDS: '1' });
    try {
      const key = newKey();
      await request(short.httpUrl)
        .post('/users')
        .set('Idempotency-Key', key)
        .send({ name: 'Old', email: uniqueEmail(), age: 1 })
        .expect(201);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await short.app.get(IdempotencyService).purgeExpired()).toBe(1);
      // While the record lived, another body under this key was a 422; now the key is free.
      const fresh = await request(short.httpUrl)
        .post('/users')
        .set('Idempotency-Key', key)
        .send({ name: 'New', email: uniqueEmail(), age: 2 })
        .expect(201);
      expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    } finally {
      await short.close();
    }
  });
});

describe('idempotency-key over gRPC', () => {
  it('runs a create once and replays its answer with a replay header', async () => {
    const key = newKey();
    const body = { name: 'Rpc', email: uniqueEmail(), age: 40 };
    const first = await t.client.createUser(body, keyed(key));
    expect(first.headers.get('idempotent-replayed')).toEqual([]);
    const again = await t.client.createUser(body, keyed(key));
    expect(again.response).toEqual(first.response);
    expect(again.headers.get('idempotent-replayed')).toEqual(['true']);
    expect(again.headers.get('x-request-id')).toHaveLength(1);
    expect(await countByEmail(body.email)).toBe(1);
  });

  it('replays deletes and recorded errors', async () => {
    const { response } = await t.client.createUser({ name: 'Del', email: uniqueEmail(), age: 1 });
    const key = newKey();
    await t.client.deleteUser({ id: response.user!.id }, keyed(key));
    const again = await t.client.deleteUser({ id: response.user!.id }, keyed(key));
    expect(again.headers.get('idempotent-replayed')).toEqual(['true']);

    const missing = newKey();
    const id = '01890000-0000-7000-8000-0000000000aa';
    expect((await grpcError(t.client.updateUser({ id, age: 1 }, keyed(missing)))).code).toBe(status.NOT_FOUND);
    expect((await grpcError(t.client.updateUser({ id, age: 1 }, keyed(missing)))).code).toBe(status.NOT_FOUND);
  });

  it('answers FAILED_PRECONDITION for a reused key and INVALID_ARGUMENT for a bad one', async () => {
    const key = newKey();
    const body = { name: 'P', email: uniqueEmail(), age: 1 };
    await t.client.createUser(body, keyed(key));
    expect((await grpcError(t.client.createUser({ ...body, age: 2 }, keyed(key)))).code).toBe(
      status.FAILED_PRECONDITION,
    );
    expect((await grpcError(t.client.createUser(body, keyed(key, { authorization: 'Bearer z' })))).code).toBe(
      status.FAILED_PRECONDITION,
    );
    const bad = await grpcError(t.client.createUser(body, keyed('bad key!')));
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(decodeStatusDetails(bad.metadata).violations.map((v) => v.field)).toEqual(['idempotency-key']);
  });

  it('keys are shared across transports only for the same operation', async () => {
    const key = newKey();
    const body = { name: 'Cross', email: uniqueEmail(), age: 1 };
    await request(t.httpUrl).post('/users').set('Idempotency-Key', key).send(body).expect(201);
    expect((await grpcError(t.client.createUser(body, keyed(key)))).code).toBe(status.FAILED_PRECONDITION);
  });

  it('lets exactly one of 20 concurrent creates with the same key run', async () => {
    const key = newKey();
    const body = { name: 'RpcRace', email: uniqueEmail(), age: 9 };
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => t.client.createUser(body, keyed(key))));
    const ids = new Set<string>();
    for (const result of results) {
      if (result.status === 'fulfilled') ids.add(result.value.response.user!.id);
      else {
        const error = result.reason as { code: number; metadata: Metadata };
        expect(error.code).toBe(status.ABORTED);
        expect(decodeStatusDetails(error.metadata).retryAfterSeconds).toBe(1);
      }
    }
    expect(ids.size).toBe(1);
    expect(await countByEmail(body.email)).toBe(1);
  });
});
