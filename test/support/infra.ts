import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import Redis from 'ioredis';
import { Client } from 'pg';

/**
 * Where the real services are. CI's second pass sets DATABASE_URL / REDIS_URL to run the e2e suite
 * on them; integration tests always use them (defaults are this machine's services).
 */
export const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const USE_REAL_SERVICES = process.env.DATABASE_URL !== undefined;

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/**
 * A free TCP port on 127.0.0.1, picked below the kernel's ephemeral range (32768 and up): a port
 * the kernel hands out itself can be given to an outgoing connection before the server that was
 * meant to bind it does (EADDRINUSE under load).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** HTTP and gRPC on free loopback ports: the environment a spawned service listens with. */
export async function loopbackPorts(): Promise<Record<'HTTP_HOST' | 'HTTP_PORT' | 'GRPC_HOST' | 'GRPC_PORT', string>> {
  return {
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(await freePort()),
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(await freePort()),
  };
}

/** A throwaway database on the real Postgres server; `drop()` removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = uniqueName('test');
  const admin = new Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Deletes every key under a prefix (tests use a fresh prefix each and clean up after). */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * Takes an exclusive lock on the users table in an open transaction, so queries on it wait:
 * how tests hold a request inside the database. `release()` rolls back and disconnects.
 */
export async function lockUsersTable(url: string): Promise<{ release: () => Promise<void> }> {
  const locker = new Client({ connectionString: url });
  await locker.connect();
  await locker.query('begin');
  await locker.query('lock table users in access exclusive mode');
  return {
    release: async () => {
      await locker.query('rollback').catch(() => undefined);
      await locker.end().catch(() => undefined);
    },
  };
}
