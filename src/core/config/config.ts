import { registerAs } from '@nestjs/config';
import { Env, parseEnv } from './env.schema';

/*
 * One namespace per concern, injected typed with `@Inject(x.KEY) cfg: ConfigType<typeof x>`.
 * The factories run when Nest builds the providers, after ConfigModule has validated the
 * environment and merged the .env files into it, so nothing reads the environment at import time.
 */
const env = () => parseEnv(process.env);

export const appConfig = registerAs('app', () => {
  const e = env();
  return { nodeEnv: e.NODE_ENV, isProduction: e.NODE_ENV === 'production' };
});

export const httpConfig = registerAs('http', () => {
  const e = env();
  return {
    host: e.HTTP_HOST,
    port: e.HTTP_PORT,
    bodyLimitBytes: e.HTTP_BODY_LIMIT_BYTES,
    /** Allowed CORS origins; empty: no CORS headers at all; `*`: any origin. */
    corsOrigins: e.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    /** `/metrics` on a port of its own (same host) instead of the HTTP port, when set. */
    metricsPort: e.METRICS_PORT,
    /** The OpenAPI document and Swagger UI; on by default outside production. */
    openapi: {
      enabled: e.OPENAPI_ENABLED ?? e.NODE_ENV !== 'production',
      jsonPath: e.OPENAPI_JSON_PATH,
      uiPath: e.OPENAPI_UI_PATH,
    },
  };
});

export const grpcConfig = registerAs('grpc', () => {
  const e = env();
  return {
    host: e.GRPC_HOST,
    port: e.GRPC_PORT,
    reflection: e.GRPC_REFLECTION ?? e.NODE_ENV !== 'production',
    maxMessageBytes: e.GRPC_MAX_MESSAGE_BYTES,
    maxMetadataBytes: e.GRPC_MAX_METADATA_BYTES,
  };
});

export const lifecycleConfig = registerAs('lifecycle', () => {
  const e = env();
  return {
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    drainTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    teardownTimeoutMs: e.SHUTDOWN_TEARDOWN_TIMEOUT_MS,
    readinessProbeIntervalMs: e.READINESS_PROBE_INTERVAL_MS,
    /** Test-only latency knob (`x-debug-delay-ms`), never available in production. */
    debugDelay: e.NODE_ENV === 'test',
  };
});

export const logConfig = registerAs('log', () => {
  const e = env();
  return {
    level: e.LOG_LEVEL,
    pretty: (e.LOG_FORMAT ?? (e.NODE_ENV === 'development' ? 'pretty' : 'json')) === 'pretty',
  };
});

export const databaseConfig = registerAs('database', () => databaseSettings(env()));

export function databaseSettings(e: Env) {
  return {
    url: e.DATABASE_URL,
    poolMax: e.DATABASE_POOL_MAX,
    connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    // The embedded database has one writer, this process, so it migrates itself;
    // shared Postgres is migrated by `npm run db:migrate` unless asked otherwise.
    migrateOnStart: e.DATABASE_MIGRATE_ON_START ?? e.DATABASE_URL === undefined,
    pgliteDataDir: e.PGLITE_DATA_DIR,
    breaker: { failures: e.DATABASE_BREAKER_FAILURES, halfOpenAfterMs: e.DATABASE_BREAKER_HALF_OPEN_MS },
    statementTimeoutMs: e.REQUEST_TIMEOUT_MS,
  };
}

export const idempotencyConfig = registerAs('idempotency', () => {
  const e = env();
  return { ttlSeconds: e.IDEMPOTENCY_TTL_SECONDS, purgeIntervalMs: e.IDEMPOTENCY_PURGE_INTERVAL_MS };
});

export const protectionConfig = registerAs('protection', () => {
  const e = env();
  return {
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED,
      perSecond: e.RATE_LIMIT_PER_SECOND,
      burst: e.RATE_LIMIT_BURST,
      /** Shared by every replica when set, so they enforce one limit together. */
      redisUrl: e.REDIS_URL,
      keyPrefix: `${e.REDIS_KEY_PREFIX}ratelimit:`,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    },
    trustProxyHops: e.TRUST_PROXY_HOPS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    /** Who sees /metrics and the dependency details of /readyz (the status itself is always public). */
    managementAccess: e.MANAGEMENT_ACCESS,
    auth: {
      mode: e.AUTH_MODE,
      apiKeys: (e.AUTH_API_KEYS ?? '')
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
      jwtSecret: e.AUTH_JWT_SECRET,
      jwtPublicKey: e.AUTH_JWT_PUBLIC_KEY,
      jwksUrl: e.AUTH_JWKS_URL,
      issuer: e.AUTH_JWT_ISSUER,
      audience: e.AUTH_JWT_AUDIENCE,
    },
  };
});

export const cacheConfig = registerAs('cache', () => {
  const e = env();
  return {
    redisUrl: e.REDIS_URL,
    keyPrefix: e.REDIS_KEY_PREFIX,
    commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    ttlSeconds: e.CACHE_TTL_SECONDS,
    maxItems: e.CACHE_MAX_ITEMS,
  };
});

export type AppConfig = ReturnType<typeof appConfig>;
export type HttpConfig = ReturnType<typeof httpConfig>;
export type GrpcConfig = ReturnType<typeof grpcConfig>;
export type ProtectionConfig = ReturnType<typeof protectionConfig>;
export type LifecycleConfig = ReturnType<typeof lifecycleConfig>;
export type LogConfig = ReturnType<typeof logConfig>;
export type DatabaseConfig = ReturnType<typeof databaseConfig>;
export type CacheConfig = ReturnType<typeof cacheConfig>;
