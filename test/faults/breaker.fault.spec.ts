import request from 'supertest';
import { eventually } from '../support/http';
import { PrivatePostgres } from '../support/private-postgres';
import { startTestApp, TestApp } from '../support/test-app';

/** The circuit breaker around the database, with a real Postgres server stopped and restarted. */
describe('database circuit breaker', () => {
  let pg: PrivatePostgres;
  let t: TestApp;
  beforeAll(async () => {
    pg = await PrivatePostgres.create();
    pg.start();
    t = await startTestApp({
      DATABASE_URL: pg.url,
      DATABASE_MIGRATE_ON_START: 'true',
      DATABASE_BREAKER_FAILURES: '3',
      DATABASE_BREAKER_HALF_OPEN_MS: '500',
    });
  });
  afterAll(async () => {
    await t?.close();
    pg?.destroy();
  });

  const circuit = async () =>
    ((await request(t.httpUrl).get('/readyz')).body.details?.database?.circuit as string) ?? '';

  it('opens while Postgres is unreachable, fails fast, and closes after it returns', async () => {
    expect(await circuit()).toBe('closed');
    pg.stop();
    // Three consecutive connection failures open it; every request still answers 503 at once.
    for (let i = 0; i < 6; i++) {
      const res = await request(t.httpUrl).get('/users');
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('UNAVAILABLE');
    }
    expect(['open', 'half-open']).toContain(await circuit());

    pg.start();
    // The next request after the half-open delay is the probe; its success closes the circuit.
    await eventually(async () => (await request(t.httpUrl).get('/users')).status === 200);
    expect(await circuit()).toBe('closed');
  });
});
