import { status } from '@grpc/grpc-js';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { DatabaseClient } from '../../src/core/database/database.client';
import { grpcError } from '../support/grpc-client';
import { startTestApp, TestApp } from '../support/test-app';

/** Breaks the database under a running app: the unexpected error must not leak, nor kill it. */
describe('unexpected errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.get(DatabaseClient).db.execute(sql`drop table users`);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answer 500 problem+json with no SQL, stack or driver message', async () => {
    const res = await request(t.httpUrl).post('/users').send({ name: 'A', email: 'a@example.com', age: 1 }).expect(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual({
      type: 'about:blank',
      title: 'Internal error',
      status: 500,
      detail: 'An internal error occurred',
      code: 'INTERNAL',
      requestId: expect.any(String),
    });
    expect(res.text).not.toMatch(/users|insert|relation|stack|at /i);
  });

  it('answer INTERNAL over gRPC with a generic message', async () => {
    const error = await grpcError(t.client.listUsers({ pageSize: 1 }));
    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).toBe('An internal error occurred');
  });

  it('leave the process alive', async () => {
    await request(t.httpUrl).get('/healthz').expect(200);
  });
});
