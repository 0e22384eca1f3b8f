import { Metadata, status } from '@grpc/grpc-js';
import { request as rawRequest } from 'node:http';
import request from 'supertest';
import { grpcError } from '../support/grpc-client';
import { startTestApp, TestApp } from '../support/test-app';

describe('size limits and HTTP hardening', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      HTTP_BODY_LIMIT_BYTES: '1024',
      GRPC_MAX_MESSAGE_BYTES: '1024',
      GRPC_MAX_METADATA_BYTES: '2048',
      CORS_ORIGINS: 'https://app.example.com',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers an oversized JSON body with 413 problem+json', async () => {
    const res = await request(t.httpUrl)
      .post('/users')
      .send({ name: 'x'.repeat(2048), email: 'big@example.com', age: 1 })
      .expect(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses oversized request headers (431)', async () => {
    const status431 = await new Promise<number>((resolve, reject) => {
      const req = rawRequest(`${t.httpUrl}/healthz`, { headers: { 'x-big': 'y'.repeat(20_000) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status431).toBe(431);
  });

  it('answers an oversized gRPC message with RESOURCE_EXHAUSTED', async () => {
    const error = await grpcError(t.client.createUser({ name: 'x'.repeat(2048), email: 'big@example.com', age: 1 }));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('refuses oversized gRPC metadata', async () => {
    const metadata = new Metadata();
    metadata.set('x-big', 'y'.repeat(8192));
    const error = await grpcError(t.client.listUsers({ pageSize: 1 }, metadata));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    // ...and the service keeps serving normal calls.
    expect((await t.client.listUsers({ pageSize: 1 })).response.users).toBeDefined();
  });

  it('counts every value of a repeated metadata key against the limit', async () => {
    const metadata = new Metadata();
    // Each value alone is well under GRPC_MAX_METADATA_BYTES; together they are not.
    for (let i = 0; i < 8; i++) metadata.add('x-many-bin', Buffer.alloc(600, i));
    const error = await grpcError(t.client.listUsers({ pageSize: 1 }, metadata));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('sends hardening headers and no x-powered-by', async () => {
    const res = await request(t.httpUrl).get('/healthz').expect(200);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['content-security-policy']).toBeDefined();
  });

  it('answers CORS preflights for configured origins only', async () => {
    const allowed = await request(t.httpUrl)
      .options('/users')
      .set('origin', 'https://app.example.com')
      .set('access-control-request-method', 'POST');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const denied = await request(t.httpUrl)
      .options('/users')
      .set('origin', 'https://evil.example.com')
      .set('access-control-request-method', 'POST');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });
});

it('sends no CORS headers unless origins are configured', async () => {
  const t = await startTestApp();
  try {
    const res = await request(t.httpUrl).get('/healthz').set('origin', 'https://app.example.com');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  } finally {
    await t.close();
  }
});
