import { Metadata, status } from '@grpc/grpc-js';
import request from 'supertest';
import { decodeBadRequestDetails } from '../../src/core/errors/grpc-status-details';
import { grpcError } from '../support/grpc-client';
import { startTestApp, TestApp } from '../support/test-app';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING_ID = '01890000-0000-7000-8000-000000000000';

let t: TestApp;
let seq = 0;
const email = () => `user${++seq}.${process.pid}@example.com`;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('HTTP_ADAPTER', () => {
  it('puts the chosen framework under Nest (CI runs this suite once per adapter)', () => {
    expect(t.app.getHttpAdapter().getType()).toBe(process.env.HTTP_ADAPTER ?? 'express');
  });
});

describe('users over HTTP', () => {
  it('creates, reads, lists, updates and deletes', async () => {
    const address = email();
    const created = await request(t.httpUrl)
      .post('/users')
      .send({ name: '  Ada Lovelace ', email: address.toUpperCase(), age: 36 })
      .expect(201);
    expect(created.body).toMatchObject({ name: 'Ada Lovelace', email: address, age: 36 });
    expect(created.body.id).toMatch(UUID_RE);
    expect(new Date(created.body.createdAt).getTime()).not.toBeNaN();
    const id = created.body.id as string;

    await request(t.httpUrl).get(`/users/${id}`).expect(200, created.body);

    const updated = await request(t.httpUrl).patch(`/users/${id}`).send({ age: 37 }).expect(200);
    expect(updated.body).toMatchObject({ id, name: 'Ada Lovelace', email: address, age: 37 });
    // The read after the write must not be served the stale cached copy.
    const reread = await request(t.httpUrl).get(`/users/${id}`).expect(200);
    expect(reread.body.age).toBe(37);

    await request(t.httpUrl).delete(`/users/${id}`).expect(204);
    const gone = await request(t.httpUrl).get(`/users/${id}`).expect(404);
    expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(gone.body).toMatchObject({ status: 404, code: 'NOT_FOUND', title: 'Not found' });
    await request(t.httpUrl).delete(`/users/${id}`).expect(404);
    await request(t.httpUrl).patch(`/users/${id}`).send({ age: 1 }).expect(404);
  });

  it('pages through users with limit and cursor in creation order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(t.httpUrl)
        .post('/users')
        .send({ name: `Pager ${i}`, email: email(), age: 20 + i });
      ids.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string | number> = cursor ? { limit: 2, cursor } : { limit: 2 };
      const res = await request(t.httpUrl).get('/users').query(query).expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...(res.body.items as { id: string }[]).map((u) => u.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(cursor).toBeNull();
    const mine = seen.filter((id) => ids.includes(id));
    expect(mine).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('answers a duplicate email with 409, case-insensitively', async () => {
    const address = email();
    await request(t.httpUrl).post('/users').send({ name: 'A', email: address, age: 1 }).expect(201);
    const res = await request(t.httpUrl)
      .post('/users')
      .send({ name: 'B', email: address.toUpperCase(), age: 2 })
      .expect(409);
    expect(res.body).toMatchObject({ status: 409, code: 'ALREADY_EXISTS' });
  });

  it('treats ids case-insensitively, cache included', async () => {
    const created = await request(t.httpUrl).post('/users').send({ name: 'Case', email: email(), age: 1 }).expect(201);
    const upper = (created.body.id as string).toUpperCase();
    await request(t.httpUrl).get(`/users/${upper}`).expect(200);
    await request(t.httpUrl).patch(`/users/${created.body.id}`).send({ age: 2 }).expect(200);
    const read = await request(t.httpUrl).get(`/users/${upper}`).expect(200);
    expect(read.body).toMatchObject({ id: created.body.id, age: 2 });
  });

  it('rejects a duplicate email on update with 409', async () => {
    const taken = email();
    await request(t.httpUrl).post('/users').send({ name: 'A', email: taken, age: 1 }).expect(201);
    const other = await request(t.httpUrl).post('/users').send({ name: 'B', email: email(), age: 1 }).expect(201);
    const res = await request(t.httpUrl).patch(`/users/${other.body.id}`).send({ email: taken }).expect(409);
    expect(res.body.code).toBe('ALREADY_EXISTS');
  });

  const badBodies: [string, unknown, string[]][] = [
    ['wrong types', { name: 42, email: true, age: '36' }, ['name', 'email', 'age']],
    ['unknown fields', { name: 'A', email: 'a@example.com', age: 1, admin: true }, ['admin']],
    ['empty name', { name: '   ', email: 'a@example.com', age: 1 }, ['name']],
    ['over-long name', { name: 'x'.repeat(101), email: 'a@example.com', age: 1 }, ['name']],
    ['bad email', { name: 'A', email: 'not-an-email', age: 1 }, ['email']],
    ['negative age', { name: 'A', email: 'a@example.com', age: -1 }, ['age']],
    ['absurd age', { name: 'A', email: 'a@example.com', age: 1000 }, ['age']],
    ['fractional age', { name: 'A', email: 'a@example.com', age: 3.5 }, ['age']],
    ['null fields', { name: null, email: null, age: null }, ['name', 'email', 'age']],
    ['control characters in the name', { name: 'A\u0000B', email: 'a@example.com', age: 1 }, ['name']],
    ['missing fields', {}, ['name', 'email', 'age']],
  ];
  it.each(badBodies)('rejects %s with 400 naming each field', async (_label, body, fields) => {
    const res = await request(t.httpUrl)
      .post('/users')
      .send(body as object)
      .expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', title: 'Invalid argument' });
    expect(res.body.requestId).toEqual(expect.any(String));
    const named = new Set((res.body.errors as { field: string }[]).map((e) => e.field));
    expect([...named].sort()).toEqual([...fields].sort());
  });

  it('rejects malformed JSON with a 400 problem', async () => {
    const res = await request(t.httpUrl)
      .post('/users')
      .set('content-type', 'application/json')
      .set('x-request-id', 'bad-json-1')
      .send('{"name": "A",')
      .expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', requestId: 'bad-json-1' });
    expect(res.headers['x-request-id']).toBe('bad-json-1');
  });

  it('rejects a JSON body that is not an object', async () => {
    const res = await request(t.httpUrl).post('/users').set('content-type', 'application/json').send('[1,2]');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_ARGUMENT');
  });

  it('rejects bad updates naming each field', async () => {
    const created = await request(t.httpUrl).post('/users').send({ name: 'U', email: email(), age: 5 }).expect(201);
    const res = await request(t.httpUrl)
      .patch(`/users/${created.body.id}`)
      .send({ name: '', email: 'x', age: -5, id: 'other' })
      .expect(400);
    const named = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect([...new Set(named)]).toEqual(['age', 'email', 'id', 'name']);
  });

  it.each([
    ['get', 'get'],
    ['patch', 'patch'],
    ['delete', 'delete'],
  ] as const)('rejects a malformed id on %s with 400', async (_label, method) => {
    const res = await request(t.httpUrl)[method]('/users/not-a-uuid').send({ age: 1 }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'id', message: expect.stringMatching(/UUID/) }]);
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 101 }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ cursor: 'nope' }, 'cursor'],
    [{ sort: 'name' }, 'sort'],
  ])('rejects bad list query %o', async (query, field) => {
    const res = await request(t.httpUrl).get('/users').query(query).expect(400);
    expect((res.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await request(t.httpUrl).get('/nope').expect(404);
    expect(res.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('echoes a caller request id and generates one otherwise', async () => {
    const echoed = await request(t.httpUrl).get('/healthz').set('x-request-id', 'abc-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const generated = await request(t.httpUrl).get('/healthz').expect(200);
    expect(generated.headers['x-request-id']).toMatch(UUID_RE);
    const unsafe = await request(t.httpUrl).get('/healthz').set('x-request-id', 'a b<script>').expect(200);
    expect(unsafe.headers['x-request-id']).toMatch(UUID_RE);
  });
});

describe('users over gRPC', () => {
  it('creates, reads, lists, updates and deletes', async () => {
    const address = email();
    const { response: created } = await t.client.createUser({ name: 'Grace', email: address, age: 85 });
    expect(created.user).toMatchObject({ name: 'Grace', email: address, age: 85 });
    const id = created.user!.id;
    expect(id).toMatch(UUID_RE);
    expect(created.user!.createTime!.seconds).toBeGreaterThan(1_700_000_000);

    const { response: got } = await t.client.getUser({ id });
    expect(got.user).toEqual(created.user);

    const { response: updated } = await t.client.updateUser({ id, name: 'Grace Hopper' });
    expect(updated.user).toMatchObject({ id, name: 'Grace Hopper', email: address, age: 85 });

    // age 0 is a real value on an optional field, not "absent".
    const { response: zero } = await t.client.updateUser({ id, age: 0 });
    expect(zero.user).toMatchObject({ name: 'Grace Hopper', age: 0 });

    const { response: list } = await t.client.listUsers({ pageSize: 100 });
    expect(list.users.map((u) => u.id)).toContain(id);

    await t.client.deleteUser({ id });
    const notFound = await grpcError(t.client.getUser({ id }));
    expect(notFound.code).toBe(status.NOT_FOUND);
    expect((await grpcError(t.client.deleteUser({ id }))).code).toBe(status.NOT_FOUND);
    expect((await grpcError(t.client.updateUser({ id, age: 1 }))).code).toBe(status.NOT_FOUND);
  });

  it('pages with page_size and page_token', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { response } = await t.client.createUser({ name: `G${i}`, email: email(), age: 30 });
      ids.push(response.user!.id);
    }
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const { response } = await t.client.listUsers({ pageSize: 2, pageToken: token });
      expect(response.users.length).toBeLessThanOrEqual(2);
      seen.push(...response.users.map((u) => u.id));
      token = response.nextPageToken;
      pages++;
    } while (token && pages < 100);
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
  });

  it('answers a duplicate email with ALREADY_EXISTS', async () => {
    const address = email();
    await t.client.createUser({ name: 'A', email: address, age: 1 });
    const error = await grpcError(t.client.createUser({ name: 'B', email: address, age: 1 }));
    expect(error.code).toBe(status.ALREADY_EXISTS);
  });

  const badRequests: [string, Record<string, unknown>, string[]][] = [
    ['empty name', { name: '', email: 'a@example.com', age: 1 }, ['name']],
    ['over-long name', { name: 'x'.repeat(101), email: 'a@example.com', age: 1 }, ['name']],
    ['bad email', { name: 'A', email: 'nope', age: 1 }, ['email']],
    ['negative age', { name: 'A', email: 'a@example.com', age: -3 }, ['age']],
    ['absurd age', { name: 'A', email: 'a@example.com', age: 999 }, ['age']],
    ['nothing set', {}, ['name', 'email']],
  ];
  it.each(badRequests)('rejects %s with INVALID_ARGUMENT naming each field', async (_label, body, fields) => {
    const error = await grpcError(t.client.createUser(body));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    for (const field of fields) expect(error.details).toContain(field);
    const violations = decodeBadRequestDetails(error.metadata);
    expect([...new Set(violations.map((v) => v.field))].sort()).toEqual([...fields].sort());
  });

  it('rejects malformed ids and page tokens with INVALID_ARGUMENT', async () => {
    for (const call of [
      t.client.getUser({ id: 'nope' }),
      t.client.deleteUser({ id: '' }),
      t.client.updateUser({ id: '123', name: 'x' }),
      t.client.listUsers({ pageToken: 'garbage' }),
      t.client.listUsers({ pageSize: -1 }),
      t.client.listUsers({ pageSize: 1000 }),
    ]) {
      const error = await grpcError(call);
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(decodeBadRequestDetails(error.metadata).length).toBeGreaterThan(0);
    }
  });

  it('echoes a caller request id in the response headers and generates one otherwise', async () => {
    const metadata = new Metadata();
    metadata.set('x-request-id', 'grpc-req-1');
    const { headers } = await t.client.listUsers({ pageSize: 1 }, metadata);
    expect(headers.get('x-request-id')).toEqual(['grpc-req-1']);
    const { headers: generated } = await t.client.listUsers({ pageSize: 1 });
    expect(String(generated.get('x-request-id')[0])).toMatch(UUID_RE);
  });

  it('answers a missing user with NOT_FOUND', async () => {
    expect((await grpcError(t.client.getUser({ id: MISSING_ID }))).code).toBe(status.NOT_FOUND);
  });
});

describe('one service layer behind both transports', () => {
  it('serves a user created over HTTP to gRPC and back', async () => {
    const address = email();
    const created = await request(t.httpUrl)
      .post('/users')
      .send({ name: 'Cross', email: address, age: 40 })
      .expect(201);
    const id = created.body.id as string;

    const { response: got } = await t.client.getUser({ id });
    expect(got.user).toMatchObject({ id, name: 'Cross', email: address, age: 40 });
    expect(got.user!.createTime!.seconds).toBe(Math.floor(Date.parse(created.body.createdAt) / 1000));

    await t.client.updateUser({ id, name: 'Crossed' });
    const viaHttp = await request(t.httpUrl).get(`/users/${id}`).expect(200);
    expect(viaHttp.body.name).toBe('Crossed');

    const listed = await request(t.httpUrl).get('/users').query({ limit: 100 }).expect(200);
    expect((listed.body.items as { id: string }[]).map((u) => u.id)).toContain(id);

    await t.client.deleteUser({ id });
    await request(t.httpUrl).get(`/users/${id}`).expect(404);
  });

  it('serves a user created over gRPC to HTTP and back', async () => {
    const address = email();
    const { response } = await t.client.createUser({ name: 'Rpc', email: address, age: 22 });
    const id = response.user!.id;
    await request(t.httpUrl).get(`/users/${id}`).expect(200);
    await request(t.httpUrl).patch(`/users/${id}`).send({ age: 23 }).expect(200);
    const { response: got } = await t.client.getUser({ id });
    expect(got.user!.age).toBe(23);
    const { response: listed } = await t.client.listUsers({ pageSize: 100 });
    expect(listed.users.map((u) => u.id)).toContain(id);
    await request(t.httpUrl).delete(`/users/${id}`).expect(204);
    expect((await grpcError(t.client.getUser({ id }))).code).toBe(status.NOT_FOUND);
    // The email is free again once its user is gone.
    const { response: again } = await t.client.createUser({ name: 'Again', email: address, age: 1 });
    expect(again.user!.id).not.toBe(id);
  });
});
