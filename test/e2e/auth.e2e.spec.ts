import { Metadata, status } from '@grpc/grpc-js';
import { SignJWT } from 'jose';
import request from 'supertest';
import { grpcError } from '../support/grpc-client';
import { startTestApp, TestApp } from '../support/test-app';

const bearer = (token: string) => {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
};

describe('authentication with static API keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_MODE: 'api-key', AUTH_API_KEYS: 'first-key-123,second-key-456' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('requires a valid bearer token over HTTP, with a 401 problem and WWW-Authenticate', async () => {
    const missing = await request(t.httpUrl).get('/users').expect(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    await request(t.httpUrl).get('/users').set('authorization', 'Bearer wrong-key').expect(401);
    await request(t.httpUrl).get('/users').set('authorization', 'Basic Zmlyc3Qta2V5LTEyMw==').expect(401);
    await request(t.httpUrl).get('/users').set('authorization', 'Bearer first-key-123').expect(200);
    await request(t.httpUrl).get('/users').set('authorization', 'bearer second-key-456').expect(200);
  });

  it('requires it over gRPC too', async () => {
    expect((await grpcError(t.client.listUsers({ pageSize: 1 }))).code).toBe(status.UNAUTHENTICATED);
    expect((await grpcError(t.client.listUsers({ pageSize: 1 }, bearer('nope')))).code).toBe(status.UNAUTHENTICATED);
    const { response } = await t.client.listUsers({ pageSize: 1 }, bearer('first-key-123'));
    expect(response.users).toBeDefined();
  });

  it('keeps health public', async () => {
    await request(t.httpUrl).get('/healthz').expect(200);
    await request(t.httpUrl).get('/readyz').expect(200);
  });
});

describe('detailed health behind authentication', () => {
  it('shows /readyz details only to authenticated callers when MANAGEMENT_ACCESS=authenticated', async () => {
    const t = await startTestApp({
      AUTH_MODE: 'api-key',
      AUTH_API_KEYS: 'ops-key-123',
      MANAGEMENT_ACCESS: 'authenticated',
    });
    try {
      const anonymous = await request(t.httpUrl).get('/readyz').expect(200);
      expect(anonymous.body).toEqual({ status: 'ok' });
      const wrong = await request(t.httpUrl).get('/readyz').set('authorization', 'Bearer nope').expect(200);
      expect(wrong.body).toEqual({ status: 'ok' });
      const operator = await request(t.httpUrl).get('/readyz').set('authorization', 'Bearer ops-key-123').expect(200);
      expect(operator.body.details.database).toMatchObject({ status: 'up' });
    } finally {
      await t.close();
    }
  });

  it('hides them from everyone when MANAGEMENT_ACCESS=hidden', async () => {
    const t = await startTestApp({ MANAGEMENT_ACCESS: 'hidden' });
    try {
      expect((await request(t.httpUrl).get('/readyz').expect(200)).body).toEqual({ status: 'ok' });
    } finally {
      await t.close();
    }
  });
});

describe('authentication with JWTs', () => {
  const secret = 'a-test-secret-that-is-long-enough-0123456789';
  const key = new TextEncoder().encode(secret);
  const sign = (claims: { aud?: string; exp?: number | string; sub?: string }) => {
    const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setIssuer('https://issuer.test');
    if (claims.sub) jwt.setSubject(claims.sub);
    jwt.setAudience(claims.aud ?? 'users-api');
    jwt.setExpirationTime(claims.exp ?? '5m');
    return jwt.sign(key);
  };
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      AUTH_MODE: 'jwt',
      AUTH_JWT_SECRET: secret,
      AUTH_JWT_ISSUER: 'https://issuer.test',
      AUTH_JWT_AUDIENCE: 'users-api',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('accepts a valid token on both transports and refuses expired or foreign ones', async () => {
    const valid = await sign({ sub: 'user-1' });
    await request(t.httpUrl).get('/users').set('authorization', `Bearer ${valid}`).expect(200);
    await t.client.listUsers({ pageSize: 1 }, bearer(valid));

    const expired = await sign({ sub: 'user-1', exp: Math.floor(Date.now() / 1000) - 60 });
    await request(t.httpUrl).get('/users').set('authorization', `Bearer ${expired}`).expect(401);
    const otherAudience = await sign({ sub: 'user-1', aud: 'someone-else' });
    await request(t.httpUrl).get('/users').set('authorization', `Bearer ${otherAudience}`).expect(401);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience('users-api')
      .setIssuer('https://issuer.test')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('another-secret-that-is-long-enough-012345'));
    expect((await grpcError(t.client.listUsers({ pageSize: 1 }, bearer(forged)))).code).toBe(status.UNAUTHENTICATED);
  });
});
