import { Logger } from '@nestjs/common';
import { Metadata, status } from '@grpc/grpc-js';
import request from 'supertest';
import { grpcError } from '../support/grpc-client';
import { startTestApp, TestApp } from '../support/test-app';

const TIMEOUT_MS = 400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** REQUEST_TIMEOUT_MS on both transports; x-debug-delay-ms (test builds only) holds the handler back. */
describe('the request deadline', () => {
  let t: TestApp;
  let userId: string;
  beforeAll(async () => {
    t = await startTestApp({ REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) });
    const created = await request(t.httpUrl)
      .post('/users')
      .send({ name: 'Slow', email: 'slow@example.com', age: 40 })
      .expect(201);
    userId = (created.body as { id: string }).id;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  it("answers 504 problem+json over HTTP, and drops the handler's late answer quietly", async () => {
    // Read once, so that the late handler answers from the cache (a query would fail on the deadline).
    await request(t.httpUrl).get(`/users/${userId}`).expect(200);
    const errors = vi.spyOn(Logger.prototype, 'error');
    const res = await request(t.httpUrl)
      .get(`/users/${userId}`)
      .set('x-request-id', 'late-http-1')
      .set('x-debug-delay-ms', String(TIMEOUT_MS * 2))
      .expect(504);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['x-request-id']).toBe('late-http-1');
    expect(res.body).toMatchObject({ status: 504, code: 'DEADLINE_EXCEEDED', requestId: 'late-http-1' });
    // The handler answers after the deadline: nothing is written, nothing logged as an error.
    await sleep(TIMEOUT_MS * 2);
    expect(errors).not.toHaveBeenCalled();
    await request(t.httpUrl).get(`/users/${userId}`).expect(200);
  });

  it('counts and logs a call its own deadline ended as DeadlineExceeded, not Canceled', async () => {
    // grpc-js answers the caller's deadline itself, in the same millisecond as the server's timer.
    for (let i = 0; i < 3; i++) {
      const error = await new Promise<{ code: number }>((resolve) => {
        const metadata = new Metadata();
        metadata.set('x-debug-delay-ms', String(TIMEOUT_MS));
        t.client.raw.makeUnaryRequest(
          '/user.v1.UserService/ListUsers',
          () => Buffer.alloc(0),
          (b: Buffer) => b,
          {},
          metadata,
          { deadline: Date.now() + TIMEOUT_MS / 4 },
          (e) => resolve(e as { code: number }),
        );
      });
      expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    }
    const text = (await request(t.httpUrl).get('/metrics').expect(200)).text;
    expect(text).toContain(
      'grpc_server_handled_total{grpc_type="unary",grpc_service="user.v1.UserService",grpc_method="ListUsers",grpc_code="DeadlineExceeded"} 3',
    );
    expect(text).not.toMatch(/grpc_method="ListUsers",grpc_code="Canceled"/);
  });

  it('answers DEADLINE_EXCEEDED over gRPC', async () => {
    const metadata = new Metadata();
    metadata.set('x-debug-delay-ms', String(TIMEOUT_MS * 2));
    const error = await grpcError(t.client.getUser({ id: userId }, metadata));
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    expect((await t.client.getUser({ id: userId })).response.user?.id).toBe(userId);
  });
});
