/*
 * `npm run openapi:gen`: writes the OpenAPI document to docs/openapi.json (or the path given),
 * for publishing. A test fails when the committed copy differs from what the code describes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from './app.factory';
import { buildOpenApiDocument } from './core/openapi/openapi';

async function main(): Promise<void> {
  // The document depends on the code only: build the app on embedded defaults, never start it.
  delete process.env.DATABASE_URL;
  delete process.env.REDIS_URL;
  Object.assign(process.env, { PGLITE_DATA_DIR: 'memory://', LOG_LEVEL: 'warn', OPENAPI_ENABLED: 'false' });
  const target = process.argv[2] ?? join(__dirname, '..', 'docs', 'openapi.json');
  const { app } = await createApp();
  try {
    writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
    process.stdout.write(`OpenAPI document written to ${target}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`openapi:gen failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
