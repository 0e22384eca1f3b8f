#!/usr/bin/env node
// `npm run bench:http`: HTTP throughput of this service on Express and on Fastify, with every
// production feature on (JSON access logs, request ids, helmet, rate limiting with a high limit,
// validation, deadline, cache-hit path), against baselines measured in the same run on the same
// machine: bare node:http, and minimal ("stock") Nest apps on each adapter serving the same JSON.
// Servers are pinned to CPU 0 and the load generator to CPU 1 when taskset is available.
// Prints req/s, p50/p99 latency and the ratios the targets are stated in.
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from './free-port.mjs';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
  },
});
const ROOT = join(import.meta.dirname, '..');
const pin = (() => {
  try {
    execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' }); // the load generator
    execFileSync('taskset', ['-c', '0', 'true']);
    return (command, argv) => ['taskset', ['-c', '0', command, ...argv]];
  } catch {
    return (command, argv) => [command, argv];
  }
})();

function httpJson(url, method = 'GET', body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

async function waitFor(url) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await httpJson(url)).status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never came up`);
}

const USER = {
  id: '01900000-0000-7000-8000-000000000001',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  age: 36,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

const BARE = `
  const http = require('node:http');
  const body = JSON.stringify(${JSON.stringify(USER)});
  http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }).listen(Number(process.env.PORT), '127.0.0.1');
`;

// The same route on a minimal Nest app: no logger, no pipes, no interceptors.
const STOCK_NEST = (adapter) => `
  require('reflect-metadata');
  const { Controller, Get, Module, Param } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const user = ${JSON.stringify(USER)};
  class UsersController { get(id) { return { ...user, id }; } }
  Controller('users')(UsersController);
  Reflect.decorate([Get(':id'), Reflect.metadata('design:paramtypes', [String])], UsersController.prototype, 'get',
    Object.getOwnPropertyDescriptor(UsersController.prototype, 'get'));
  Param('id')(UsersController.prototype, 'get', 0);
  class AppModule {}
  Module({ controllers: [UsersController] })(AppModule);
  (async () => {
    const adapter = ${adapter === 'fastify' ? "new (require('@nestjs/platform-fastify').FastifyAdapter)()" : "new (require('@nestjs/platform-express').ExpressAdapter)()"};
    const app = await NestFactory.create(AppModule, adapter, { logger: false });
    await app.listen(Number(process.env.PORT), '127.0.0.1');
  })();
`;

async function startTarget(name, kind, adapter) {
  const port = await freePort();
  const env = { PATH: process.env.PATH, PORT: String(port) };
  let argv;
  if (kind === 'service') {
    Object.assign(env, {
      NODE_ENV: 'production',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      HTTP_ADAPTER: adapter,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(await freePort()),
      PGLITE_DATA_DIR: 'memory://',
      RATE_LIMIT_BURST: '1000000000',
      RATE_LIMIT_PER_SECOND: '1000000000',
      SHUTDOWN_DELAY_MS: '0',
    });
    argv = [join(ROOT, 'dist/main.js')];
  } else {
    argv = ['-e', kind === 'bare' ? BARE : STOCK_NEST(adapter)];
  }
  const [command, commandArgs] = pin(process.execPath, argv);
  const child = spawn(command, commandArgs, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  let path = `/users/${USER.id}`;
  if (kind === 'service') {
    await waitFor(`${base}/healthz`);
    const created = await httpJson(`${base}/users`, 'POST', { name: USER.name, email: USER.email, age: USER.age });
    path = `/users/${created.body.id}`;
    await httpJson(`${base}${path}`); // warm the cache: the measured path is a cache hit
  } else {
    await waitFor(`${base}${path}`);
  }
  return { name, url: `${base}${path}`, stop: async () => (child.kill('SIGKILL'), once(child, 'exit')) };
}

async function measure(target) {
  const options = { url: target.url, connections: Number(args.connections), pipelining: 1 };
  await autocannon({ ...options, duration: 2 }); // warm-up (JIT, caches)
  const result = await autocannon({ ...options, duration: Number(args.duration) });
  return {
    name: target.name,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

const plan = [
  ['bare node:http', 'bare'],
  ['stock Nest (express)', 'stock', 'express'],
  ['stock Nest (fastify)', 'stock', 'fastify'],
  ['service (express)', 'service', 'express'],
  ['service (fastify)', 'service', 'fastify'],
];
const results = {};
for (const [name, kind, adapter] of plan) {
  const target = await startTarget(name, kind, adapter);
  try {
    results[name] = await measure(target);
  } finally {
    await target.stop();
  }
  const r = results[name];
  console.log(
    `${name.padEnd(22)} ${String(r.rps).padStart(7)} req/s   p50 ${r.p50} ms   p99 ${r.p99} ms   errors ${r.errors}`,
  );
}
const ratio = (a, b) => (results[a].rps / results[b].rps).toFixed(2);
const p99 = (a, b) => (results[a].p99 / Math.max(1, results[b].p99)).toFixed(2);
console.log(`
service (fastify) / bare node:http:          ${ratio('service (fastify)', 'bare node:http')}x throughput (target >= 0.50), p99 ${p99('service (fastify)', 'bare node:http')}x (target <= 2)
service (express) / stock Nest (express):    ${ratio('service (express)', 'stock Nest (express)')}x throughput (target >= 0.80)
service (fastify) / stock Nest (fastify):    ${ratio('service (fastify)', 'stock Nest (fastify)')}x throughput
service (fastify) / service (express):       ${ratio('service (fastify)', 'service (express)')}x throughput`);
