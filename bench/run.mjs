#!/usr/bin/env node
// `npm run bench [-- --duration 10 --connections 32 --only http,grpc,cold-start --json out.json]`
//
// What: in one run on this machine, under the same load, GetUser served by
//   (a) bare baselines: node:http (bench/servers/bare-http.mjs) and @grpc/grpc-js (bare-grpc.mjs),
//   (b) a minimal Nest hybrid app, no production features (bench/servers/minimal-nest.mjs), on
//       Express and on Fastify,
//   (c) this service (dist/main.js) with every production feature on: JSON access logs (written to
//       a file), request ids, helmet, validation, deadline, rate limiting (a limit too high to
//       trip), Prometheus metrics, and GetUser on the cache-hit path (one user created, then read
//       once before the load), on Express and on Fastify.
// For each: requests per second, p50/p99 latency, server CPU microseconds per request, server
// CPU share, load-generator CPU share, idle RSS (after start and a settle) and peak RSS (VmHWM);
// then the ratios c/a and c/b per transport against the targets (PASS/MISS), and the cold start
// to ready (spawn to the first 200 on /readyz, median of 3) on the embedded database and on
// Postgres, with the service's idle RSS.
//
// How: every server runs in its own process, pinned to CPU 0 (taskset); the load generator runs
// pinned to CPU 1, with identical settings for every case of a transport, after a warm-up run.
// HTTP load: wrk (`--latency`), else autocannon. gRPC load: h2load with a pre-encoded request
// (5-byte gRPC frame header + protobuf; content-type application/grpc, te: trailers), else
// bench/load/grpc-load.mjs (grpc-js, separate process). Server CPU comes from /proc/<pid>/stat
// (utime + stime) around the measured run, memory from /proc/<pid>/status.
//
// A broken measurement (a server that does not come up or dies, any error or non-OK response, a
// service that did not log or count the requests) exits 1. A missed target is reported, not fatal.
// Other load on the machine moves absolute numbers; the ratios within one run and CPU per request
// are the figures to read.
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { URL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.mjs';
import {
  BrokenMeasurement,
  check,
  cpuMicros,
  getUserFrame,
  GRPC_PATH,
  grpcCall,
  has,
  http,
  memoryMiB,
  PINNED,
  ROOT,
  runTool,
  serviceEnv,
  sleep,
  spawnServer,
  until,
} from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' }, // seconds of measured load per case
    warmup: { type: 'string', default: '2' }, // seconds of load before each measurement
    connections: { type: 'string', default: '32' }, // HTTP connections; also gRPC calls in flight
    'grpc-connections': { type: 'string', default: '4' }, // HTTP/2 connections carrying those calls
    only: { type: 'string', default: 'http,grpc,cold-start' },
    'http-load': { type: 'string' }, // wrk | autocannon (default: wrk when installed)
    'grpc-load': { type: 'string' }, // h2load | grpc-js (default: h2load when installed)
    json: { type: 'string' }, // write the results to this file
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const GRPC_CONNECTIONS = Math.min(Number(args['grpc-connections']), CONNECTIONS);
const STREAMS = Math.ceil(CONNECTIONS / GRPC_CONNECTIONS); // gRPC calls in flight per connection
const ONLY = new Set(args.only.split(','));
const TMP = mkdtempSync(join(tmpdir(), 'bench-'));

const HTTP_TOOL = args['http-load'] ?? (has('wrk') ? 'wrk' : 'autocannon');
const GRPC_TOOL = args['grpc-load'] ?? (has('h2load') ? 'h2load' : 'grpc-js');

/**
 * Starts one case and leaves it ready for load: `target` is the URL (HTTP) or port (gRPC) to load,
 * `frame` the GetUser request and `responseBytes` the size of one OK answer (gRPC).
 */
async function startCase(spec) {
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const ports = ['--http-port', String(httpPort), '--grpc-port', String(grpcPort)];
  const logFile = spec.kind === 'service' ? join(TMP, `${spec.key}.log`) : undefined;
  const child =
    spec.kind === 'service'
      ? spawnServer([join(ROOT, 'dist/main.js')], serviceEnv(spec.adapter, httpPort, grpcPort), logFile)
      : spawnServer([join(ROOT, 'bench/servers', spec.script), ...(spec.adapter ? [spec.adapter] : []), ...ports], {});
  try {
    const base = `http://127.0.0.1:${httpPort}`;
    let id = '01900000-0000-7000-8000-000000000001'; // bench/servers/user.mjs
    if (spec.kind === 'service') {
      await until(spec.name, async () => (await http(`${base}/readyz`)).status === 200, 30_000, child);
    } else if (spec.transport === 'http') {
      await until(spec.name, async () => (await http(`${base}/users/${id}`)).status === 200, 30_000, child);
    } else {
      await until(spec.name, async () => (await grpcCall(grpcPort, getUserFrame(id))).status === 0, 30_000, child);
    }
    await sleep(1000);
    const idleRss = memoryMiB(child.pid, 'VmRSS');

    if (spec.kind === 'service') {
      const created = await http(`${base}/users`, {
        method: 'POST',
        body: { name: 'Ada Lovelace', email: 'ada@example.com', age: 36 },
      });
      check(created.status === 201, `${spec.name}: POST /users answered ${created.status} ${created.text}`);
      id = JSON.parse(created.text).id;
    }
    // The first read fills the cache (service); the check makes sure the answer is the user.
    if (spec.transport === 'http') {
      const url = `${base}/users/${id}`;
      for (let i = 0; i < 2; i++) {
        const res = await http(url);
        check(res.status === 200 && JSON.parse(res.text).id === id, `${spec.name}: GET ${url}: ${res.status}`);
        if (spec.kind === 'service') {
          check(res.headers['x-request-id'], `${spec.name}: no x-request-id header`);
          check(res.headers['ratelimit-limit'], `${spec.name}: no RateLimit-Limit header: rate limiting is off?`);
        }
      }
      return { child, logFile, idleRss, base, target: url, id };
    }
    const frame = getUserFrame(id);
    let body;
    for (let i = 0; i < 2; i++) {
      const res = await grpcCall(grpcPort, frame);
      check(res.status === 0 && res.body.includes(id), `${spec.name}: GetUser answered grpc-status ${res.status}`);
      body = res.body;
    }
    return { child, logFile, idleRss, base, target: grpcPort, frame, responseBytes: body.length, id };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Load generators. Each returns { requests, seconds, p50, p99 } (ms) and throws on any error.

const MS = { us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };
const toMs = (text) => {
  const [, value, unit] = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  return Number(value) * MS[unit];
};

async function wrk(url, seconds) {
  const out = await runTool(
    'wrk',
    ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '--latency', url],
    (seconds + 30) * 1000,
  );
  const match = (re) => re.exec(out)?.slice(1);
  const [requests, elapsed, elapsedUnit] = match(/(\d+) requests in ([\d.]+)(\w+),/) ?? [];
  check(requests, `wrk output not understood:\n${out}`);
  const non2xx = Number(match(/Non-2xx or 3xx responses: (\d+)/)?.[0] ?? 0);
  const socketErrors = (match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/) ?? []).map(
    Number,
  );
  check(non2xx === 0, `${url}: ${non2xx} responses were not 2xx`);
  check(
    socketErrors.every((n) => n === 0),
    `${url}: socket errors (connect, read, write, timeout) ${socketErrors}`,
  );
  return {
    requests: Number(requests),
    seconds: toMs(`${elapsed}${elapsedUnit}`) / 1000,
    p50: toMs(match(/^\s+50%\s+(\S+)/m)[0]),
    p99: toMs(match(/^\s+99%\s+(\S+)/m)[0]),
  };
}

async function autocannonLoad(url, seconds) {
  const result = await autocannon({ url, connections: CONNECTIONS, pipelining: 1, duration: seconds });
  check(
    result.errors + result.timeouts + result.non2xx === 0,
    `${url}: ${result.errors} errors, ${result.non2xx} non-2xx`,
  );
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/**
 * h2load. The warm-up runs for `seconds`; the measurement then sends a fixed number of calls
 * (`seconds` at the warm-up's rate) so that every call is complete when h2load ends. h2load sees
 * only the HTTP status (always 200 in gRPC), but an OK GetUser carries exactly `responseBytes` of
 * DATA and a non-OK status none: DATA bytes = calls x responseBytes proves every call was OK.
 */
async function h2load(target, seconds, testCase) {
  const bodyFile = join(TMP, 'get-user.bin');
  const logFile = join(TMP, 'h2load.log');
  writeFileSync(bodyFile, testCase.frame);
  rmSync(logFile, { force: true });
  const exact = testCase.rate !== undefined;
  const calls = exact ? Math.max(CONNECTIONS * 10, Math.round(testCase.rate * seconds)) : undefined;
  const out = await runTool(
    'h2load',
    [
      ...['-t1', `-c${GRPC_CONNECTIONS}`, `-m${STREAMS}`, exact ? `-n${calls}` : `-D${seconds}`],
      ...['-d', bodyFile, `--log-file=${logFile}`, '-H', 'content-type: application/grpc', '-H', 'te: trailers'],
      `http://127.0.0.1:${target}${GRPC_PATH}`,
    ],
    (seconds * 4 + 60) * 1000,
  );
  const done = /requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
  const data = /\((\d+)\) data/.exec(out);
  check(done && data, `h2load output not understood:\n${out}`);
  const [requests, succeeded, failed, errored] = done.slice(1).map(Number);
  check(succeeded === requests && failed + errored === 0 && (!exact || requests === calls), `h2load: ${done[0]}`);
  // A timed run ends with up to one call per stream in flight, whose DATA may have arrived.
  const answered = Number(data[1]) / testCase.responseBytes;
  check(
    exact ? answered === requests : answered >= requests && answered <= requests + CONNECTIONS,
    `GetUser: ${data[1]} bytes of responses for ${requests} calls of ${testCase.responseBytes}: not every call was OK`,
  );
  const rows = readFileSync(logFile, 'utf8').trim().split('\n');
  let first = Infinity;
  let last = 0;
  const latencies = [];
  for (const row of rows) {
    const [start, status, micros] = row.split('\t').map(Number);
    if (status !== 200) continue; // -1: a call cut by the end of a timed run
    latencies.push(micros / 1000);
    first = Math.min(first, start);
    last = Math.max(last, start + micros);
  }
  check(latencies.length === requests, `h2load logged ${latencies.length} of ${requests} calls`);
  latencies.sort((x, y) => x - y);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { requests, seconds: (last - first) / 1e6, p50: at(0.5), p99: at(0.99) };
}

async function grpcJsLoad(target, seconds, testCase) {
  const out = await runTool(
    process.execPath,
    [
      join(ROOT, 'bench/load/grpc-load.mjs'),
      ...[
        '--address',
        `127.0.0.1:${target}`,
        '--path',
        GRPC_PATH,
        '--message',
        testCase.frame.subarray(5).toString('hex'),
      ],
      ...[
        '--duration',
        String(seconds),
        '--concurrency',
        String(CONNECTIONS),
        '--connections',
        String(GRPC_CONNECTIONS),
      ],
    ],
    (seconds + 30) * 1000,
  );
  const result = JSON.parse(out);
  check(
    Object.keys(result.nonOk).length === 0,
    `GetUser: non-OK statuses (code: count) ${JSON.stringify(result.nonOk)}`,
  );
  return result;
}

const load = {
  http: (testCase, seconds) => (HTTP_TOOL === 'wrk' ? wrk : autocannonLoad)(testCase.target, seconds),
  grpc: (testCase, seconds) => (GRPC_TOOL === 'h2load' ? h2load : grpcJsLoad)(testCase.target, seconds, testCase),
};

// ---------------------------------------------------------------------------------------------
// One measurement: start, warm up, measure, check, stop

async function countLines(path) {
  let lines = 0;
  for await (const chunk of createReadStream(path)) for (const byte of chunk) if (byte === 10) lines++;
  return lines;
}

/** Sums a Prometheus series over the label sets that contain every one of `labels`. */
function metricSum(text, name, labels) {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)))
      sum += Number(line.split(' ').pop());
  }
  return sum;
}

/** The service must have logged and counted every measured request, and answered them all OK. */
async function checkService(spec, testCase, requests) {
  const metrics = (await http(`${testCase.base}/metrics`)).text;
  if (spec.transport === 'http') {
    const name = 'http_server_request_duration_seconds_count';
    const ok = metricSum(metrics, name, ['route="/users/:id"', 'status="200"']);
    const all = metricSum(metrics, name, ['route="/users/:id"']);
    check(ok >= requests, `${spec.name}: /metrics counted ${ok} OK GET /users/:id, ${requests} measured`);
    check(all === ok, `${spec.name}: /metrics counted ${all - ok} GET /users/:id that were not 200`);
  } else {
    const ok = metricSum(metrics, 'grpc_server_handled_total', ['grpc_method="GetUser"', 'grpc_code="OK"']);
    const all = metricSum(metrics, 'grpc_server_handled_total', ['grpc_method="GetUser"']);
    check(ok >= requests, `${spec.name}: /metrics counted ${ok} OK GetUser calls, ${requests} measured`);
    check(all === ok, `${spec.name}: /metrics counted ${all - ok} GetUser calls that were not OK`);
  }
  const lines = await countLines(testCase.logFile);
  check(lines >= requests, `${spec.name}: ${lines} log lines for ${requests} requests: access logging is off?`);
}

async function measure(spec) {
  const testCase = await startCase(spec);
  const pid = testCase.child.pid;
  try {
    const warm = await load[spec.transport](testCase, WARMUP);
    testCase.rate = warm.requests / warm.seconds;
    const [server0, tools0] = [cpuMicros(pid)[0], cpuMicros(process.pid)[1]];
    const self0 = process.cpuUsage();
    const run = await load[spec.transport](testCase, DURATION);
    const [server1, tools1] = [cpuMicros(pid)[0], cpuMicros(process.pid)[1]];
    const self1 = process.cpuUsage(self0);
    check(
      testCase.child.exitCode === null,
      `${spec.name}: the server died under load (${testCase.child.stderrText()})`,
    );
    const peakRss = memoryMiB(pid, 'VmHWM');
    if (spec.kind === 'service') await checkService(spec, testCase, run.requests);
    // The load generator is a child process (wrk, h2load, grpc-load) or this one (autocannon).
    const loadCpu =
      tools1 - tools0 + (spec.transport === 'http' && HTTP_TOOL === 'autocannon' ? self1.user + self1.system : 0);
    return {
      ...spec,
      rps: run.requests / run.seconds,
      p50: run.p50,
      p99: run.p99,
      requests: run.requests,
      seconds: run.seconds,
      cpuPerRequest: (server1 - server0) / run.requests,
      serverCpuShare: (server1 - server0) / (run.seconds * 1e6),
      loadCpuShare: loadCpu / (run.seconds * 1e6),
      idleRss: testCase.idleRss,
      peakRss,
    };
  } finally {
    await testCase.child.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Cold start: spawn to the first 200 on /readyz

async function coldStart(extraEnv, adapter = 'express') {
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const started = performance.now();
  const child = spawnServer(
    [join(ROOT, 'dist/main.js')],
    serviceEnv(adapter, httpPort, grpcPort, extraEnv),
    '/dev/null',
  );
  try {
    await until(
      'cold start',
      async () => (await http(`http://127.0.0.1:${httpPort}/readyz`)).status === 200,
      30_000,
      child,
    );
    const ms = performance.now() - started;
    await sleep(1000);
    return { ms, idleRss: memoryMiB(child.pid, 'VmRSS') };
  } finally {
    await child.stop();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function coldStarts() {
  const results = {};
  const runs = async (env) => {
    const samples = [];
    for (let i = 0; i < 3; i++) samples.push(await coldStart(env));
    return {
      ms: median(samples.map((s) => s.ms)),
      samples: samples.map((s) => s.ms),
      idleRss: median(samples.map((s) => s.idleRss)),
    };
  };
  results.embedded = await runs({ PGLITE_DATA_DIR: 'memory://' });

  // Postgres: a throwaway database on the given server, migrated first (as a deploy would).
  const admin = new pg.Client({ connectionString: args['database-url'] });
  try {
    await admin.connect();
  } catch (error) {
    results.postgres = { skipped: `no Postgres at ${args['database-url']}: ${error.message}` };
    return results;
  }
  const name = `bench_${process.pid}_${Date.now().toString(36)}`;
  try {
    await admin.query(`create database "${name}"`);
    const url = new URL(args['database-url']);
    url.pathname = `/${name}`;
    execFileSync(process.execPath, [join(ROOT, 'dist/core/database/migrate.cli.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', DATABASE_URL: url.toString() },
      stdio: 'pipe',
    });
    results.postgres = await runs({ DATABASE_URL: url.toString() });
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`).catch(() => undefined);
    await admin.end();
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// The plan, the report

const CASES = [
  { key: 'http.bare', transport: 'http', tier: 'a', kind: 'bare', script: 'bare-http.mjs', name: 'bare node:http' },
  {
    key: 'http.minimal.express',
    transport: 'http',
    tier: 'b',
    kind: 'minimal',
    script: 'minimal-nest.mjs',
    adapter: 'express',
    name: 'minimal Nest, Express',
  },
  {
    key: 'http.minimal.fastify',
    transport: 'http',
    tier: 'b',
    kind: 'minimal',
    script: 'minimal-nest.mjs',
    adapter: 'fastify',
    name: 'minimal Nest, Fastify',
  },
  {
    key: 'http.service.express',
    transport: 'http',
    tier: 'c',
    kind: 'service',
    adapter: 'express',
    name: 'service, Express',
  },
  {
    key: 'http.service.fastify',
    transport: 'http',
    tier: 'c',
    kind: 'service',
    adapter: 'fastify',
    name: 'service, Fastify',
  },
  { key: 'grpc.bare', transport: 'grpc', tier: 'a', kind: 'bare', script: 'bare-grpc.mjs', name: 'bare grpc-js' },
  {
    key: 'grpc.minimal',
    transport: 'grpc',
    tier: 'b',
    kind: 'minimal',
    script: 'minimal-nest.mjs',
    adapter: 'express',
    name: 'minimal Nest',
  },
  { key: 'grpc.service', transport: 'grpc', tier: 'c', kind: 'service', adapter: 'express', name: 'service' },
];

const TARGETS = [
  // [label, numerator, denominator, measure, comparison, bound]
  ['HTTP  service Express / bare node:http', 'http.service.express', 'http.bare', 'rps', '>=', 0.4],
  ['HTTP  service Fastify / bare node:http', 'http.service.fastify', 'http.bare', 'rps', '>=', 0.5],
  ['HTTP  service Express / minimal Nest Express', 'http.service.express', 'http.minimal.express', 'rps', '>=', 0.8],
  ['HTTP  service Fastify / minimal Nest Fastify', 'http.service.fastify', 'http.minimal.fastify', 'rps', '>=', 0.8],
  ['HTTP  p99 service Express / minimal Nest Express', 'http.service.express', 'http.minimal.express', 'p99', '<=', 2],
  ['HTTP  p99 service Fastify / minimal Nest Fastify', 'http.service.fastify', 'http.minimal.fastify', 'p99', '<=', 2],
  ['HTTP  p99 service Fastify / bare node:http', 'http.service.fastify', 'http.bare', 'p99', '<=', 2],
  ['gRPC  service / bare grpc-js', 'grpc.service', 'grpc.bare', 'rps', '>=', 0.6],
  ['gRPC  service / minimal Nest', 'grpc.service', 'grpc.minimal', 'rps', '>=', 0.8],
  ['gRPC  p99 service / minimal Nest', 'grpc.service', 'grpc.minimal', 'p99', '<=', 2],
];

const fmt = (value, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '-';
const pct = (share) => `${Math.round(share * 100)}%`;
const table = (rows) => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  return rows
    .map((row) =>
      row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  '),
    )
    .join('\n');
};

async function main() {
  console.log(
    `bench: ${DURATION} s per case after a ${WARMUP} s warm-up; HTTP: ${HTTP_TOOL}, ${CONNECTIONS} connections; ` +
      `gRPC: ${GRPC_TOOL}, ${CONNECTIONS} calls in flight over ${GRPC_CONNECTIONS} connections; ` +
      (PINNED ? 'servers on CPU 0, load on CPU 1' : 'taskset unavailable: nothing pinned'),
  );
  const results = {};
  for (const spec of CASES.filter((c) => ONLY.has(c.transport))) {
    const r = await measure(spec);
    results[spec.key] = r;
    console.log(`  ${r.transport}  ${r.name.padEnd(22)} ${fmt(r.rps).padStart(7)} req/s  p99 ${fmt(r.p99, 2)} ms`);
  }
  const cold = ONLY.has('cold-start') ? await coldStarts() : undefined;

  if (Object.keys(results).length > 0) {
    console.log('');
    console.log(
      table([
        [
          'transport  server',
          'req/s',
          'p50 ms',
          'p99 ms',
          'CPU µs/req',
          'server CPU',
          'load CPU',
          'idle RSS MiB',
          'peak RSS MiB',
        ],
        ...Object.values(results).map((r) => [
          `${r.transport === 'http' ? 'HTTP' : 'gRPC'}       ${r.name}`,
          fmt(r.rps),
          fmt(r.p50, 2),
          fmt(r.p99, 2),
          fmt(r.cpuPerRequest, 1),
          pct(r.serverCpuShare),
          pct(r.loadCpuShare),
          fmt(r.idleRss, 1),
          fmt(r.peakRss, 1),
        ]),
      ]),
    );
  }

  const targets = [];
  const rows = [['target (c = service with every production feature on)', 'ratio', 'CPU-based', 'target', '']];
  for (const [label, num, den, what, op, bound] of TARGETS) {
    const [n, d] = [results[num], results[den]];
    if (!n || !d) continue;
    const ratio = n[what] / d[what];
    // The throughput the ratio would have if both servers had a core to themselves.
    const cpuBased = what === 'rps' ? d.cpuPerRequest / n.cpuPerRequest : undefined;
    const pass = op === '>=' ? ratio >= bound : ratio <= bound;
    targets.push({ label, ratio, cpuBased, target: `${op} ${bound}`, pass });
    rows.push([
      label,
      `${fmt(ratio, 2)}x`,
      cpuBased ? `${fmt(cpuBased, 2)}x` : '',
      `${op} ${bound}`,
      pass ? 'PASS' : 'MISS',
    ]);
  }
  if (cold) {
    for (const [mode, c] of Object.entries(cold)) {
      if (c.skipped) {
        rows.push([`cold start to ready, ${mode}`, 'skipped', '', mode === 'postgres' ? '< 1500 ms' : '', '']);
        continue;
      }
      const pass = c.ms < 1500;
      if (mode === 'postgres')
        targets.push({ label: 'cold start to ready, Postgres', ms: c.ms, target: '< 1500 ms', pass });
      rows.push([
        `cold start to ready, ${mode} (median of 3; idle RSS ${fmt(c.idleRss, 1)} MiB)`,
        `${fmt(c.ms)} ms`,
        '',
        mode === 'postgres' ? '< 1500 ms' : '',
        mode === 'postgres' ? (pass ? 'PASS' : 'MISS') : '',
      ]);
    }
  }
  if (rows.length > 1) {
    console.log('');
    console.log(table(rows));
    console.log('\nCPU-based: the same ratio from server CPU per request, which other load on the machine moves less.');
    if (cold?.postgres?.skipped) console.log(`Postgres cold start skipped: ${cold.postgres.skipped}`);
  }

  if (args.json) {
    const machine = { cpus: cpus().length, node: process.version, pinned: PINNED };
    const settings = {
      duration: DURATION,
      warmup: WARMUP,
      connections: CONNECTIONS,
      grpcConnections: GRPC_CONNECTIONS,
      httpTool: HTTP_TOOL,
      grpcTool: GRPC_TOOL,
    };
    writeFileSync(
      args.json,
      `${JSON.stringify({ date: new Date().toISOString(), machine, settings, results, targets, coldStart: cold }, null, 2)}\n`,
    );
    console.log(`\nresults written to ${args.json}`);
  }
}

try {
  check(existsSync(join(ROOT, 'dist/main.js')), 'dist/main.js is missing: run `npx nest build` (npm run bench does)');
  await main();
} catch (error) {
  console.error(`\nbench: broken measurement: ${error instanceof BrokenMeasurement ? error.message : error.stack}`);
  process.exitCode = 1;
} finally {
  rmSync(TMP, { recursive: true, force: true });
}
