import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpConfig } from '../config/config';

const BEARER = 'bearer';

/**
 * The OpenAPI 3 document of the HTTP API, generated from the controllers and DTOs (their
 * `@nestjs/swagger` decorators; the field rules in the DTOs describe themselves). It depends on
 * the code only, never on the environment, so the copy committed in docs/openapi.json can be
 * checked against it.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const { name, version, description } = readPackageJson();
  const config = new DocumentBuilder()
    .setTitle(name)
    .setDescription(
      `${description}. Errors are RFC 9457 problem+json bodies with a stable \`code\` (the same codes as ` +
        'the gRPC API). Writes accept an `Idempotency-Key` header. The same operations are served over gRPC ' +
        '(see proto/ and gRPC reflection).',
    )
    .setVersion(version)
    .addTag('users', 'The users feature; the same operations as user.v1.UserService over gRPC')
    .addTag('management', 'Probes and metrics for orchestrators and scrapers')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'An API key (AUTH_MODE=api-key) or a JWT (AUTH_MODE=jwt)' },
      BEARER,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // Credentials are needed only when AUTH_MODE is set: `{}` makes them optional.
  document.security = [{}, { [BEARER]: [] }];
  return document;
}

/** Serves the document and Swagger UI when enabled (`OPENAPI_*`); built on first request. */
export function setupOpenApi(app: INestApplication, config: HttpConfig['openapi']): void {
  if (!config.enabled) return;
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup(config.uiPath, app, () => (document ??= buildOpenApiDocument(app)), {
    jsonDocumentUrl: config.jsonPath,
    raw: ['json'],
    customSiteTitle: `${readPackageJson().name} API`,
  });
}

let packageJson: { name: string; version: string; description: string } | undefined;

function readPackageJson(): { name: string; version: string; description: string } {
  // src/core/openapi and dist/core/openapi are both three levels below the package root.
  return (packageJson ??= JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    description: string;
  });
}
