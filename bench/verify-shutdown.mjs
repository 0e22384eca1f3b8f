#!/usr/bin/env node
// `npm run verify:shutdown [-- --runs 10]`: rolling-restart proof. Starts the built service, drives
// a mixed load against handlers that take real time, sends SIGTERM mid-load and counts, per run:
// requests sent / answered / LOST (accepted by the server and never answered) / refused after the
// listeners closed (never accepted: a load balancer retries those elsewhere), streams completed /
// cut, time from SIGTERM to exit, exit code. Exits 1 if anything was lost or an exit code was not 0.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROTO_LOADER_OPTIONS, PROTO_ROOT } from '../dist/core/grpc/proto.js';
import { freePort } from './free-port.mjs';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    delay: { type: 'string', default: '1000' }, // SHUTDOWN_DELAY_MS
    timeout: { type: 'string', default: '10000' }, // SHUTDOWN_TIMEOUT_MS
    latency: { type: 'string', default: '50' }, // handler latency per request (test-mode knob)
    rows: { type: 'string', default: '2000' }, // users exported by each stream
    adapter: { type: 'string', default: 'express' }, // HTTP_ADAPTER: express | fastify
  },
});
const ROOT = join(import.meta.dirname, '..');
const LATENCY = String(args.latency);

const definition = protoLoader.loadSync(join(PROTO_ROOT, 'user/v1/user.proto'), PROTO_LOADER_OPTIONS);
const { UserService } = grpc.loadPackageDefinition(definition).user.v1;

// A connect that is refused, or reset before the server accepted it (a connection still in the
// kernel's accept queue when the listener closes), never reached the service: refused, not lost.
// On a reused keep-alive socket the same errors mean the server had the connection: lost.
const NEVER_ACCEPTED = new Set(['ECONNREFUSED', 'ECONNRESET']);
const isRefusedGrpc = (error) =>
  error.code === grpc.status.UNAVAILABLE &&
  /ECONNREFUSED|No connection established|Connection refused/i.test(error.details);

function httpCall(url, agent, options = {}) {
  return new Promise((resolve) => {
    const req = request(url, { agent, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode >= 200 && res.statusCode < 300 ? 'ok' : `status ${res.statusCode}`));
      res.on('error', (e) => resolve(e.code ?? e.message));
    });
    req.on('error', (e) =>
      resolve(
        NEVER_ACCEPTED.has(e.code) && !req.reusedSocket
          ? e.code === 'ECONNRESET'
            ? 'reset-unaccepted'
            : 'refused'
          : `${e.code ?? e.message}${req.reusedSocket ? ' (reused socket)' : ''}`,
      ),
    );
    req.end(options.body);
  });
}

async function run(index) {
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const base = `http://127.0.0.1:${httpPort}`;
  const grpcAddress = `127.0.0.1:${grpcPort}`;
  const child = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test', // enables the x-debug-delay-ms latency knob; never on in production
      HTTP_ADAPTER: String(args.adapter),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(grpcPort),
      PGLITE_DATA_DIR: 'memory://',
      SHUTDOWN_DELAY_MS: String(args.delay),
      SHUTDOWN_TIMEOUT_MS: String(args.timeout),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = [];
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    const parts = (buffered + chunk).split('\n');
    buffered = parts.pop();
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line));
      } catch {
        /* not JSON */
      }
    }
  });
  const exited = once(child, 'exit');
  while (!lines.some((l) => String(l.msg).startsWith('ready:'))) {
    if (child.exitCode !== null) throw new Error('service exited before ready');
    await new Promise((r) => setTimeout(r, 50));
  }

  // Seed the data the handlers read.
  const seeder = new UserService(grpcAddress, grpc.credentials.createInsecure());
  const ids = [];
  const rows = Number(args.rows);
  for (let i = 0; i < rows; i += 100) {
    const batch = await Promise.all(
      Array.from(
        { length: Math.min(100, rows - i) },
        (_, j) =>
          new Promise((resolve, reject) =>
            seeder.createUser({ name: `Load ${i + j}`, email: `load${i + j}@bench.test`, age: 30 }, (e, r) =>
              e ? reject(e) : resolve(r.user.id),
            ),
          ),
      ),
    );
    ids.push(...batch);
  }
  seeder.close();

  const counts = {
    sent: 0,
    answered: 0,
    lost: 0,
    refused: 0,
    resetInAcceptQueue: 0,
    streamsCompleted: 0,
    streamsCut: 0,
    streamsLost: 0,
  };
  const lostReasons = new Map();
  const record = async (outcome) => {
    if (outcome === 'ok') counts.answered++;
    else if (outcome === 'refused' || outcome === 'reset-unaccepted') {
      counts.refused++;
      if (outcome === 'reset-unaccepted') counts.resetInAcceptQueue++;
      // A client (or load balancer) backs off before trying a refusing address again.
      await new Promise((r) => setTimeout(r, 20));
    } else {
      counts.lost++;
      lostReasons.set(outcome, (lostReasons.get(outcome) ?? 0) + 1);
    }
  };
  let running = true;
  const pick = () => ids[Math.floor(Math.random() * ids.length)];
  const loops = [];

  // HTTP keep-alive clients.
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 8 });
  for (let i = 0; i < 8; i++)
    loops.push(
      (async () => {
        while (running) {
          counts.sent++;
          await record(
            await httpCall(`${base}/users/${pick()}`, keepAlive, { headers: { 'x-debug-delay-ms': LATENCY } }),
          );
        }
      })(),
    );
  // HTTP clients opening a new connection per request.
  for (let i = 0; i < 4; i++)
    loops.push(
      (async () => {
        while (running) {
          counts.sent++;
          await record(
            await httpCall(`${base}/users?limit=5`, false, {
              headers: { 'x-debug-delay-ms': LATENCY, connection: 'close' },
            }),
          );
        }
      })(),
    );
  // gRPC unary calls on long-lived channels.
  const channels = [0, 1].map(() => new UserService(grpcAddress, grpc.credentials.createInsecure()));
  for (const client of channels)
    for (let i = 0; i < 6; i++)
      loops.push(
        (async () => {
          while (running) {
            counts.sent++;
            const metadata = new grpc.Metadata();
            metadata.set('x-debug-delay-ms', LATENCY);
            await record(
              await new Promise((resolve) =>
                client.getUser({ id: pick() }, metadata, { deadline: Date.now() + 30_000 }, (error) =>
                  resolve(!error ? 'ok' : isRefusedGrpc(error) ? 'refused' : `grpc ${error.code} ${error.details}`),
                ),
              ),
            );
          }
        })(),
      );
  // gRPC server streams (full exports), back to back.
  for (const client of channels)
    loops.push(
      (async () => {
        while (running) {
          const outcome = await new Promise((resolve) => {
            let received = 0;
            const call = client.exportUsers({ afterId: '' });
            call.on('data', () => received++);
            call.on('error', (error) =>
              resolve(isRefusedGrpc(error) ? 'refused' : error.code === grpc.status.UNAVAILABLE ? 'cut' : 'lost'),
            );
            call.on(
              'status',
              (s) => s.code === grpc.status.OK && resolve(received === ids.length ? 'completed' : 'lost'),
            );
          });
          if (outcome === 'completed') counts.streamsCompleted++;
          else if (outcome === 'cut') counts.streamsCut++;
          else if (outcome === 'lost') counts.streamsLost++;
          if (outcome === 'refused') await new Promise((r) => setTimeout(r, 20));
        }
      })(),
    );

  await new Promise((r) => setTimeout(r, 1500));
  const sigterm = performance.now();
  child.kill('SIGTERM');
  const [code] = await exited;
  const stopMs = Math.round(performance.now() - sigterm);
  // Keep the clients going a moment after exit so every outcome is the real one, then stop.
  await new Promise((r) => setTimeout(r, 300));
  running = false;
  await Promise.all(loops);
  keepAlive.destroy();
  channels.forEach((c) => c.close());
  const drained = lines.find((l) => l.step === 'drained');
  return {
    run: index,
    ...counts,
    exitCode: code,
    stopMs,
    cutByDeadline: drained ? drained.http.cut + drained.grpc.cut : null,
    lostReasons: Object.fromEntries(lostReasons),
  };
}

console.log(`verify:shutdown, HTTP adapter: ${args.adapter}`);
const results = [];
for (let i = 1; i <= Number(args.runs); i++) {
  const result = await run(i);
  results.push(result);
  console.log(
    `run ${String(i).padStart(2)}: sent ${result.sent}, answered ${result.answered}, LOST ${result.lost}, refused after close ${result.refused} (of which reset in the accept queue ${result.resetInAcceptQueue}), ` +
      `streams completed ${result.streamsCompleted} / cut ${result.streamsCut} / lost ${result.streamsLost}, ` +
      `SIGTERM->exit ${result.stopMs} ms, exit code ${result.exitCode}` +
      (result.lost > 0 ? ` lost: ${JSON.stringify(result.lostReasons)}` : ''),
  );
}
const total = (key) => results.reduce((sum, r) => sum + r[key], 0);
const lost = total('lost') + total('streamsLost');
const badExits = results.filter((r) => r.exitCode !== 0).length;
console.log(
  `\n${results.length} runs: sent ${total('sent')}, answered ${total('answered')}, LOST ${total('lost')}, refused after close ${total('refused')}, ` +
    `streams completed ${total('streamsCompleted')} / cut ${total('streamsCut')} / lost ${total('streamsLost')}, non-zero exits ${badExits}`,
);
console.log(lost === 0 && badExits === 0 ? 'PASS: nothing lost' : 'FAIL');
process.exit(lost === 0 && badExits === 0 ? 0 : 1);
