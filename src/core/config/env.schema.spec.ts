import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigValidationError, envSchema, parseEnv } from './env.schema';

describe('.env.example', () => {
  it('documents every key the schema reads, and no other', () => {
    const documented = readFileSync(join(__dirname, '../../../.env.example'), 'utf8')
      .split('\n')
      .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
      .filter((key): key is string => key !== undefined);
    expect([...documented].sort()).toEqual(Object.keys(envSchema.shape).sort());
  });
});

describe('parseEnv', () => {
  it('applies the documented defaults to an empty environment', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      HTTP_PORT: 3000,
      GRPC_PORT: 50051,
      PGLITE_DATA_DIR: './data/pglite',
      LOG_LEVEL: 'info',
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('treats empty strings as unset and ignores unrelated variables', () => {
    const env = parseEnv({ REDIS_URL: '', HTTP_PORT: '', PATH: '/bin' });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.HTTP_PORT).toBe(3000);
    expect(env).not.toHaveProperty('PATH');
  });

  it('coerces numbers and booleans', () => {
    expect(parseEnv({ HTTP_PORT: '8080', DATABASE_MIGRATE_ON_START: 'false' })).toMatchObject({
      HTTP_PORT: 8080,
      DATABASE_MIGRATE_ON_START: false,
    });
  });

  it('requires the credentials of the chosen AUTH_MODE', () => {
    expect(() => parseEnv({ AUTH_MODE: 'api-key' })).toThrow(/AUTH_API_KEYS/);
    expect(() => parseEnv({ AUTH_MODE: 'jwt' })).toThrow(/AUTH_JWT_SECRET/);
    expect(() => parseEnv({ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 'short' })).toThrow(/at least 32/);
    expect(parseEnv({ AUTH_MODE: 'api-key', AUTH_API_KEYS: 'k1,k2' }).AUTH_MODE).toBe('api-key');
  });

  it('refuses MANAGEMENT_ACCESS=authenticated when nobody can authenticate', () => {
    expect(() => parseEnv({ MANAGEMENT_ACCESS: 'authenticated' })).toThrow(/MANAGEMENT_ACCESS/);
    expect(parseEnv({ MANAGEMENT_ACCESS: 'authenticated', AUTH_MODE: 'api-key', AUTH_API_KEYS: 'k' }).AUTH_MODE).toBe(
      'api-key',
    );
  });

  it('lists every bad key at once', () => {
    const attempt = () =>
      parseEnv({ HTTP_PORT: 'eighty', GRPC_PORT: '70000', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigValidationError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigValidationError).problems.map((p) => p.split(':')[0]);
      expect(problems.sort()).toEqual(['DATABASE_URL', 'GRPC_PORT', 'HTTP_PORT', 'LOG_LEVEL']);
    }
  });
});
