import { createApp, HybridApp, RunningApp, startApp } from '../../src/app.factory';
import { createUserClient, UserServiceTestClient } from './grpc-client';
import { createTestDatabase, deleteRedisPrefix, freePort, REDIS_URL, uniqueName, USE_REAL_SERVICES } from './infra';

export interface TestApp extends RunningApp {
  client: UserServiceTestClient;
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Boots the app through the same factory as main.ts, on loopback ports. On the embedded defaults
 * it gets an in-memory PGlite and cache; with DATABASE_URL/REDIS_URL set it gets its own fresh
 * database and Redis key prefix, removed again by close().
 */
export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const cleanups: (() => Promise<void>)[] = [];
  const env: Record<string, string> = {
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(await freePort()),
    PGLITE_DATA_DIR: 'memory://',
  };
  if (USE_REAL_SERVICES) {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const prefix = `${uniqueName('test')}:`;
    cleanups.push(() => deleteRedisPrefix(REDIS_URL, prefix));
    Object.assign(env, {
      DATABASE_URL: database.url,
      DATABASE_MIGRATE_ON_START: 'true',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
    });
  }
  Object.assign(env, overrides);
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  let hybrid: HybridApp;
  try {
    hybrid = await createApp();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  const running = await startApp(hybrid);
  const client = createUserClient(running.grpcAddress);
  return {
    ...running,
    client,
    env,
    close: async () => {
      client.close();
      await running.lifecycle.shutdown('test finished');
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}
