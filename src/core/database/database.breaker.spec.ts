import { DatabaseBreaker } from './database.breaker';
import type { DatabaseClient } from './database.client';
import type { DatabaseConfig } from '../config/config';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

function breaker() {
  const client = { defaultStatementTimeoutMs: undefined } as unknown as DatabaseClient;
  const config = { breaker: { failures: 1, halfOpenAfterMs: 50 } } as DatabaseConfig;
  return new DatabaseBreaker(client, config);
}

describe('DatabaseBreaker', () => {
  it('lets a transaction probe a half-open circuit with queries of its own (runs nest)', async () => {
    const b = breaker();
    await expect(b.run(() => Promise.reject(refused()))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(b.state).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 80));
    // The outer run is the half-open probe; its inner queries must not wait for it to finish.
    const nested = b.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5)); // BEGIN
      return (await b.run(() => Promise.resolve(1))) + (await b.run(() => Promise.resolve(2)));
    });
    const outcome = await Promise.race([
      nested,
      new Promise((resolve) => setTimeout(() => resolve('deadlocked'), 1_000)),
    ]);
    expect(outcome).toBe(3);
    expect(b.state).toBe('closed');
  });

  it('counts a failed transaction once, not once per nested query', async () => {
    const config = { breaker: { failures: 2, halfOpenAfterMs: 60_000 } } as DatabaseConfig;
    const b = new DatabaseBreaker({ defaultStatementTimeoutMs: undefined } as unknown as DatabaseClient, config);
    await expect(b.run(() => b.run(() => Promise.reject(refused())))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(b.state).toBe('closed');
  });
});
