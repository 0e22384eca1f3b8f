// gRPC load generator used by bench/run.mjs when h2load is not installed: `--concurrency` unary
// calls kept in flight over `--connections` HTTP/2 connections for `--duration` seconds, each call
// sending the same pre-encoded request. Prints one JSON line: calls completed, non-OK statuses by
// code, p50/p99 latency. Runs in its own process (pinned to the load-generator core by the runner).
import { Buffer } from 'node:buffer';
import * as grpc from '@grpc/grpc-js';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    address: { type: 'string' },
    path: { type: 'string' },
    message: { type: 'string' }, // the serialized request, hex
    duration: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32' },
    connections: { type: 'string', default: '4' },
  },
});
const message = Buffer.from(args.message, 'hex');
const identity = (buffer) => buffer;
// A local subchannel pool per client: one HTTP/2 connection each, not one shared by all.
const clients = Array.from(
  { length: Number(args.connections) },
  () => new grpc.Client(args.address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
);
await Promise.all(
  clients.map(
    (client) =>
      new Promise((resolve, reject) => client.waitForReady(Date.now() + 5000, (e) => (e ? reject(e) : resolve()))),
  ),
);

const latencies = [];
const nonOk = {};
const endAt = performance.now() + Number(args.duration) * 1000;
const started = performance.now();

function loop(client) {
  return new Promise((resolve) => {
    const next = () => {
      if (performance.now() >= endAt) return resolve();
      const t0 = performance.now();
      client.makeUnaryRequest(args.path, identity, identity, message, (error) => {
        if (error) nonOk[error.code] = (nonOk[error.code] ?? 0) + 1;
        else latencies.push(performance.now() - t0);
        next();
      });
    };
    next();
  });
}
await Promise.all(Array.from({ length: Number(args.concurrency) }, (_, i) => loop(clients[i % clients.length])));
const seconds = (performance.now() - started) / 1000;
for (const client of clients) client.close();

latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
process.stdout.write(
  `${JSON.stringify({ requests: latencies.length, seconds, p50: at(0.5), p99: at(0.99), nonOk })}\n`,
);
