import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';

const COMMITTED = join(__dirname, '..', '..', 'docs', 'openapi.json');

interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties: Record<string, unknown> }> };
}

describe('OpenAPI document and Swagger UI', () => {
  let t: TestApp;
  let document: Document;
  beforeAll(async () => {
    t = await startTestApp();
    document = (await request(t.httpUrl).get('/openapi.json').expect(200).expect('content-type', /json/)).body;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is the committed docs/openapi.json (run `npm run openapi:gen` after changing the HTTP API)', () => {
    expect(document).toEqual(JSON.parse(readFileSync(COMMITTED, 'utf8')));
  });

  it('describes every users operation, with typed bodies and the path parameter', () => {
    expect(document.openapi).toMatch(/^3\./);
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /users',
        'GET /users',
        'GET /users/export',
        'GET /users/{id}',
        'PATCH /users/{id}',
        'DELETE /users/{id}',
      ]),
    );
    expect(document.components.schemas.CreateUserDto).toMatchObject({
      required: ['name', 'email', 'age'],
      properties: { email: { format: 'email' }, age: { type: 'integer', minimum: 0 } },
    });
  });

  it('documents every error answer as problem+json, with the schema the service really sends', async () => {
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const errors = Object.entries(operation.responses).filter(([code]) => Number(code) >= 400);
        if (path.startsWith('/users')) expect(errors.map(([code]) => code)).toEqual(expect.arrayContaining(['400']));
        for (const [code, response] of errors) {
          // /readyz answers 503 with its own report, not a problem.
          if (path === '/readyz') continue;
          expect(response.content, `${method} ${path} ${code}`).toEqual({
            'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
          });
        }
      }
    }
    const problem = document.components.schemas.Problem?.properties;
    const sent = await request(t.httpUrl).post('/users').send({ name: '', email: 'nope', age: -1 }).expect(400);
    expect(sent.headers['content-type']).toMatch(/^application\/problem\+json/);
    for (const key of Object.keys(sent.body)) expect(problem).toHaveProperty(key);
  });

  it('serves Swagger UI', async () => {
    const page = await request(t.httpUrl).get('/docs').redirects(1).expect(200);
    expect(page.text).toContain('swagger-ui');
  });
});

describe('OpenAPI settings', () => {
  it('are off in production unless enabled', async () => {
    const t = await startTestApp({ NODE_ENV: 'production' });
    try {
      await request(t.httpUrl).get('/openapi.json').expect(404);
      await request(t.httpUrl).get('/docs').expect(404);
    } finally {
      await t.close();
    }
  });

  it('can be enabled in production, and moved', async () => {
    const t = await startTestApp({
      NODE_ENV: 'production',
      OPENAPI_ENABLED: 'true',
      OPENAPI_JSON_PATH: '/api/openapi.json',
      OPENAPI_UI_PATH: '/api/docs',
    });
    try {
      await request(t.httpUrl).get('/api/openapi.json').expect(200);
      await request(t.httpUrl).get('/api/docs').redirects(1).expect(200);
      await request(t.httpUrl).get('/openapi.json').expect(404);
    } finally {
      await t.close();
    }
  });
});
