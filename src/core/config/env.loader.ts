import { parse } from 'dotenv';
import { existsSync, readFileSync } from 'node:fs';
import { Env, parseEnv } from './env.schema';

/** The .env files for an environment, most specific first (the first file that sets a key wins). */
export function envFilePaths(nodeEnv = process.env.NODE_ENV ?? 'development'): string[] {
  return [`.env.${nodeEnv}.local`, `.env.${nodeEnv}`, '.env'];
}

/**
 * Reads and validates the environment the way the app does (real environment over .env files),
 * for command-line tools that run without the Nest container.
 */
export function loadEnv(): Env {
  const fromFiles: Record<string, string> = {};
  for (const file of envFilePaths()) {
    if (!existsSync(file)) continue;
    for (const [key, value] of Object.entries(parse(readFileSync(file)))) fromFiles[key] ??= value;
  }
  return parseEnv({ ...fromFiles, ...process.env });
}
