import { Metadata, status } from '@grpc/grpc-js';
import request from 'supertest';
import { decodeBadRequestDetails } from '../../src/core/errors/grpc-status-details';
import type {
  Create{{Name}}Request,
  Create{{Name}}Response,
  Delete{{Name}}Request,
  Delete{{Name}}Response,
  Get{{Name}}Request,
  Get{{Name}}Response,
  List{{Names}}Request,
  List{{Names}}Response,
  Update{{Name}}Request,
  Update{{Name}}Response,
} from '../../src/generated/{{name_snake}}/v1/{{name_snake}}';
import { createGrpcTestClient, grpcError, GrpcTestClient, Unary } from '../support/grpc-client';
import { startTestApp, TestApp } from '../support/test-app';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING_ID = '01890000-0000-7000-8000-000000000000';

/** `{{name_snake}}.v1.{{Name}}Service`, loaded from its own proto file. */
interface {{Name}}ServiceTestClient extends GrpcTestClient {
  create{{Name}}: Unary<Partial<Create{{Name}}Request>, Create{{Name}}Response>;
  get{{Name}}: Unary<Partial<Get{{Name}}Request>, Get{{Name}}Response>;
  list{{Names}}: Unary<Partial<List{{Names}}Request>, List{{Names}}Response>;
  update{{Name}}: Unary<Partial<Update{{Name}}Request>, Update{{Name}}Response>;
  delete{{Name}}: Unary<Partial<Delete{{Name}}Request>, Delete{{Name}}Response>;
}

let t: TestApp;
let client: {{Name}}ServiceTestClient;

beforeAll(async () => {
  t = await startTestApp();
  client = createGrpcTestClient<{{Name}}ServiceTestClient>(
    t.grpcAddress,
    '{{name_snake}}/v1/{{name_snake}}.proto',
    '{{name_snake}}.v1.{{Name}}Service',
  );
});
afterAll(async () => {
  client?.close();
  await t?.close();
});

describe('{{namesText}} over HTTP', () => {
  it('creates, reads, lists, updates and deletes', async () => {
    const created = await request(t.httpUrl).post('/{{names-kebab}}').send({ name: '  First ' }).expect(201);
    expect(created.body).toMatchObject({ name: 'First' });
    expect(created.body.id).toMatch(UUID_RE);
    expect(new Date(created.body.createdAt).getTime()).not.toBeNaN();
    const id = created.body.id as string;

    await request(t.httpUrl).get(`/{{names-kebab}}/${id}`).expect(200, created.body);

    const listed = await request(t.httpUrl).get('/{{names-kebab}}').query({ limit: 100 }).expect(200);
    expect((listed.body.items as { id: string }[]).map((item) => item.id)).toContain(id);

    const updated = await request(t.httpUrl).patch(`/{{names-kebab}}/${id}`).send({ name: 'Renamed' }).expect(200);
    expect(updated.body).toMatchObject({ id, name: 'Renamed' });
    // The read after the write must not be served the stale cached copy.
    const reread = await request(t.httpUrl).get(`/{{names-kebab}}/${id}`).expect(200);
    expect(reread.body.name).toBe('Renamed');

    await request(t.httpUrl).delete(`/{{names-kebab}}/${id}`).expect(204);
    await request(t.httpUrl).get(`/{{names-kebab}}/${id}`).expect(404);
  });

  it('pages with limit and cursor in creation order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(t.httpUrl)
        .post('/{{names-kebab}}')
        .send({ name: `Page ${i}` })
        .expect(201);
      ids.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string | number> = cursor ? { limit: 2, cursor } : { limit: 2 };
      const res = await request(t.httpUrl).get('/{{names-kebab}}').query(query).expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...(res.body.items as { id: string }[]).map((item) => item.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(cursor).toBeNull();
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
  });

  const badBodies: [string, unknown, string[]][] = [
    ['a missing name', {}, ['name']],
    ['a blank name', { name: '   ' }, ['name']],
    ['an over-long name', { name: 'x'.repeat(101) }, ['name']],
    ['a wrong type', { name: 42 }, ['name']],
    ['an unknown field', { name: 'A', extra: true }, ['extra']],
  ];
  it.each(badBodies)('rejects %s with a 400 problem naming the field', async (_label, body, fields) => {
    const res = await request(t.httpUrl)
      .post('/{{names-kebab}}')
      .send(body as object)
      .expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', title: 'Invalid argument' });
    const named = new Set((res.body.errors as { field: string }[]).map((error) => error.field));
    expect([...named].sort()).toEqual([...fields].sort());
  });

  it('rejects a malformed id and a bad list query with 400', async () => {
    const res = await request(t.httpUrl).get('/{{names-kebab}}/not-a-uuid').expect(400);
    expect(res.body.errors).toEqual([{ field: 'id', message: expect.stringMatching(/UUID/) }]);
    await request(t.httpUrl).get('/{{names-kebab}}').query({ limit: 0 }).expect(400);
    await request(t.httpUrl).get('/{{names-kebab}}').query({ cursor: 'nope' }).expect(400);
  });

  it('answers an unknown id with a 404 problem on read, update and delete', async () => {
    const res = await request(t.httpUrl).get(`/{{names-kebab}}/${MISSING_ID}`).expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'NOT_FOUND', title: 'Not found' });
    await request(t.httpUrl).patch(`/{{names-kebab}}/${MISSING_ID}`).send({ name: 'x' }).expect(404);
    await request(t.httpUrl).delete(`/{{names-kebab}}/${MISSING_ID}`).expect(404);
  });

  it('replays a create retried with the same Idempotency-Key', async () => {
    const key = `create-{{names-kebab}}-${process.pid}`;
    const first = await request(t.httpUrl)
      .post('/{{names-kebab}}')
      .set('idempotency-key', key)
      .send({ name: 'Once' })
      .expect(201);
    const again = await request(t.httpUrl)
      .post('/{{names-kebab}}')
      .set('idempotency-key', key)
      .send({ name: 'Once' })
      .expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('is described in the OpenAPI document, with its errors as problem+json', async () => {
    const document = (await request(t.httpUrl).get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const operations = Object.entries(document.paths)
      .filter(([path]) => path === '/{{names-kebab}}' || path.startsWith('/{{names-kebab}}/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(
      [
        'POST /{{names-kebab}}',
        'GET /{{names-kebab}}',
        'GET /{{names-kebab}}/{id}',
        'PATCH /{{names-kebab}}/{id}',
        'DELETE /{{names-kebab}}/{id}',
      ].sort(),
    );
    const get = document.paths['/{{names-kebab}}/{id}']!.get!;
    expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect(get.responses['404']).toMatchObject({ content: { 'application/problem+json': expect.anything() } });
  });
});

describe('{{namesText}} over gRPC', () => {
  it('creates, reads, lists, updates and deletes', async () => {
    const { response: created } = await client.create{{Name}}({ name: 'First' });
    expect(created.{{name}}).toMatchObject({ name: 'First' });
    const id = created.{{name}}!.id;
    expect(id).toMatch(UUID_RE);
    expect(created.{{name}}!.createTime!.seconds).toBeGreaterThan(1_700_000_000);

    const { response: got } = await client.get{{Name}}({ id });
    expect(got.{{name}}).toEqual(created.{{name}});

    const { response: list } = await client.list{{Names}}({ pageSize: 100 });
    expect(list.{{names}}.map((item) => item.id)).toContain(id);

    const { response: updated } = await client.update{{Name}}({ id, name: 'Renamed' });
    expect(updated.{{name}}).toMatchObject({ id, name: 'Renamed' });
    // An update with no field set changes nothing.
    const { response: same } = await client.update{{Name}}({ id });
    expect(same.{{name}}).toMatchObject({ id, name: 'Renamed' });

    await client.delete{{Name}}({ id });
    expect((await grpcError(client.get{{Name}}({ id }))).code).toBe(status.NOT_FOUND);
  });

  it('pages with page_size and page_token', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { response } = await client.create{{Name}}({ name: `Page ${i}` });
      ids.push(response.{{name}}!.id);
    }
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const { response } = await client.list{{Names}}({ pageSize: 2, pageToken: token });
      expect(response.{{names}}.length).toBeLessThanOrEqual(2);
      seen.push(...response.{{names}}.map((item) => item.id));
      token = response.nextPageToken;
      pages++;
    } while (token && pages < 100);
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
  });

  it('rejects an invalid request with INVALID_ARGUMENT naming the field', async () => {
    for (const name of ['', '   ', 'x'.repeat(101)]) {
      const error = await grpcError(client.create{{Name}}({ name }));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(decodeBadRequestDetails(error.metadata).map((violation) => violation.field)).toEqual(['name']);
    }
    for (const call of [
      client.get{{Name}}({ id: 'nope' }),
      client.update{{Name}}({ id: '123', name: 'x' }),
      client.delete{{Name}}({ id: '' }),
      client.list{{Names}}({ pageToken: 'garbage' }),
      client.list{{Names}}({ pageSize: 1000 }),
    ]) {
      expect((await grpcError(call)).code).toBe(status.INVALID_ARGUMENT);
    }
  });

  it('answers an unknown id with NOT_FOUND on read, update and delete', async () => {
    expect((await grpcError(client.get{{Name}}({ id: MISSING_ID }))).code).toBe(status.NOT_FOUND);
    expect((await grpcError(client.update{{Name}}({ id: MISSING_ID, name: 'x' }))).code).toBe(status.NOT_FOUND);
    expect((await grpcError(client.delete{{Name}}({ id: MISSING_ID }))).code).toBe(status.NOT_FOUND);
  });

  it('replays a create retried with the same idempotency-key', async () => {
    const metadata = new Metadata();
    metadata.set('idempotency-key', `grpc-create-{{names-kebab}}-${process.pid}`);
    const first = await client.create{{Name}}({ name: 'Once' }, metadata);
    const again = await client.create{{Name}}({ name: 'Once' }, metadata);
    expect(again.headers.get('idempotent-replayed')).toEqual(['true']);
    expect(again.response.{{name}}!.id).toBe(first.response.{{name}}!.id);
  });
});

describe('one service layer behind both transports', () => {
  it('serves a {{nameText}} created over HTTP to gRPC and back', async () => {
    const created = await request(t.httpUrl).post('/{{names-kebab}}').send({ name: 'Cross' }).expect(201);
    const id = created.body.id as string;
    const { response: got } = await client.get{{Name}}({ id });
    expect(got.{{name}}).toMatchObject({ id, name: 'Cross' });
    expect(got.{{name}}!.createTime!.seconds).toBe(Math.floor(Date.parse(created.body.createdAt) / 1000));

    await client.update{{Name}}({ id, name: 'Crossed' });
    const viaHttp = await request(t.httpUrl).get(`/{{names-kebab}}/${id}`).expect(200);
    expect(viaHttp.body.name).toBe('Crossed');

    await request(t.httpUrl).delete(`/{{names-kebab}}/${id}`).expect(204);
    expect((await grpcError(client.get{{Name}}({ id }))).code).toBe(status.NOT_FOUND);
  });
});
