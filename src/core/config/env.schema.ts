import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const urlPath = z.string().regex(/^\/[\w\-./]*$/, 'must be a path starting with /');
const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/**
 * Every environment variable the service reads, validated in one pass at boot.
 * Empty strings count as unset so `KEY=` in a .env file falls back to the default.
 */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    HTTP_PORT: port.default(3000),
    GRPC_HOST: z.string().min(1).default('0.0.0.0'),
    GRPC_PORT: port.default(50051),
    GRPC_REFLECTION: bool.optional(),
    HTTP_ADAPTER: z.enum(['express', 'fastify']).default('express'),
    HTTP_BODY_LIMIT_BYTES: positiveInt.default(100 * 1024),
    CORS_ORIGINS: z.string().default(''),
    METRICS_PORT: port.min(1).optional(),
    OPENAPI_ENABLED: bool.optional(),
    OPENAPI_JSON_PATH: urlPath.default('/openapi.json'),
    OPENAPI_UI_PATH: urlPath.default('/docs'),
    GRPC_MAX_MESSAGE_BYTES: positiveInt.default(4 * 1024 * 1024),
    GRPC_MAX_METADATA_BYTES: positiveInt.default(16 * 1024),
    SHUTDOWN_DELAY_MS: nonNegativeInt.default(5_000),
    SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
    SHUTDOWN_TEARDOWN_TIMEOUT_MS: positiveInt.default(5_000),
    READINESS_PROBE_INTERVAL_MS: positiveInt.default(1_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
    OTEL_EXPORTER_OTLP_ENDPOINT: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .optional(),
    OTEL_SERVICE_NAME: z.string().min(1).default('nest-hybrid-service'),
    OTEL_TRACES_SAMPLER_RATIO: z.coerce.number().min(0).max(1).default(1),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
      .optional(),
    DATABASE_POOL_MAX: positiveInt.max(1000).default(10),
    DATABASE_CONNECT_TIMEOUT_MS: positiveInt.default(2000),
    DATABASE_MIGRATE_ON_START: bool.optional(),
    DATABASE_BREAKER_FAILURES: positiveInt.default(5),
    DATABASE_BREAKER_HALF_OPEN_MS: positiveInt.default(2_000),
    PGLITE_DATA_DIR: z.string().min(1).default('./data/pglite'),
    RATE_LIMIT_ENABLED: bool.default(true),
    RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(100),
    RATE_LIMIT_BURST: positiveInt.default(200),
    TRUST_PROXY_HOPS: nonNegativeInt.default(0),
    REQUEST_TIMEOUT_MS: positiveInt.default(10_000),
    MANAGEMENT_ACCESS: z.enum(['public', 'authenticated', 'hidden']).default('public'),
    AUTH_MODE: z.enum(['none', 'api-key', 'jwt']).default('none'),
    AUTH_API_KEYS: z.string().optional(),
    AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    AUTH_JWT_PUBLIC_KEY: z.string().optional(),
    AUTH_JWKS_URL: z.url().optional(),
    AUTH_JWT_ISSUER: z.string().optional(),
    AUTH_JWT_AUDIENCE: z.string().optional(),
    IDEMPOTENCY_TTL_SECONDS: positiveInt.default(86_400),
    IDEMPOTENCY_PURGE_INTERVAL_MS: positiveInt.default(600_000),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    REDIS_KEY_PREFIX: z.string().default('svc:'),
    REDIS_COMMAND_TIMEOUT_MS: positiveInt.default(250),
    CACHE_TTL_SECONDS: positiveInt.default(60),
    CACHE_MAX_ITEMS: positiveInt.default(10_000),
  })
  .superRefine((env, ctx) => {
    if (env.MANAGEMENT_ACCESS === 'authenticated' && env.AUTH_MODE === 'none') {
      ctx.addIssue({
        code: 'custom',
        path: ['MANAGEMENT_ACCESS'],
        message: 'authenticated needs AUTH_MODE api-key or jwt (with none nobody could authenticate)',
      });
    }
    if (env.AUTH_MODE === 'api-key' && !env.AUTH_API_KEYS?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_API_KEYS'], message: 'is required when AUTH_MODE=api-key' });
    }
    if (env.AUTH_MODE === 'jwt' && !env.AUTH_JWT_SECRET && !env.AUTH_JWT_PUBLIC_KEY && !env.AUTH_JWKS_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_JWT_SECRET'],
        message: 'AUTH_MODE=jwt needs AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** Thrown at boot when the environment is invalid; its message names every bad key. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

export function parseEnv(source: Record<string, unknown>): Env {
  const keys = Object.keys(envSchema.shape);
  const input = Object.fromEntries(
    keys.filter((key) => source[key] !== undefined && source[key] !== '').map((key) => [key, source[key]]),
  );
  const result = envSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigValidationError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  return result.data;
}
