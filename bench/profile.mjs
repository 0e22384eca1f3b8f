#!/usr/bin/env node
// `nest build && node bench/profile.mjs [--adapter express,fastify] [--transport http,grpc]
//  [--duration 15] [--top 15] [--keep DIR]`
//
// Where the service's CPU goes under load: runs the service (every production feature on, as in
// bench/run.mjs) under `node --cpu-prof`, drives GetUser (wrk over HTTP, h2load over gRPC, on the
// other core), stops it with SIGTERM so the profile is written, and prints the self time of the
// load phase only (samples between the start and end of the load; V8's profile clock and
// process.hrtime are both CLOCK_MONOTONIC), by package (self, and total: self + callees; a
// middleware's total includes the rest of the chain it calls next() into) and by function.
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from './free-port.mjs';
import {
  check,
  getUserFrame,
  GRPC_PATH,
  grpcCall,
  has,
  http,
  ROOT,
  runTool,
  serviceEnv,
  spawnServer,
  until,
} from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    adapter: { type: 'string', default: 'express,fastify' },
    transport: { type: 'string', default: 'http,grpc' },
    duration: { type: 'string', default: '15' },
    top: { type: 'string', default: '15' },
    keep: { type: 'string' }, // copy the .cpuprofile files here (open them in Chrome DevTools)
  },
});
check(has('wrk') && has('h2load'), 'bench/profile.mjs needs wrk and h2load');
const DURATION = Number(args.duration);
const TMP = mkdtempSync(join(tmpdir(), 'bench-profile-'));

async function profile(adapter, transport) {
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const dir = join(TMP, `${adapter}-${transport}`);
  const env = serviceEnv(adapter, httpPort, grpcPort);
  const child = spawnServer([join(ROOT, 'dist/main.js')], env, join(TMP, 'service.log'), [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
  ]);
  try {
    return await drive(child, adapter, transport, httpPort, grpcPort, dir);
  } finally {
    await child.stop();
  }
}

async function drive(child, adapter, transport, httpPort, grpcPort, dir) {
  const base = `http://127.0.0.1:${httpPort}`;
  await until('service', async () => (await http(`${base}/readyz`)).status === 200, 30_000, child);
  const created = await http(`${base}/users`, {
    method: 'POST',
    body: { name: 'Ada Lovelace', email: 'ada@example.com', age: 36 },
  });
  check(created.status === 201, `POST /users answered ${created.status}`);
  const { id } = JSON.parse(created.text);
  const frame = getUserFrame(id);
  check((await http(`${base}/users/${id}`)).status === 200, 'GET /users/:id failed');
  check((await grpcCall(grpcPort, frame)).status === 0, 'GetUser failed');

  const bodyFile = join(TMP, 'get-user.bin');
  writeFileSync(bodyFile, frame);
  const load = (seconds) =>
    transport === 'http'
      ? runTool('wrk', ['-t1', '-c32', `-d${seconds}s`, `${base}/users/${id}`], (seconds + 30) * 1000)
      : runTool(
          'h2load',
          [
            ...['-t1', '-c4', '-m8', `-D${seconds}`, '-d', bodyFile],
            ...['-H', 'content-type: application/grpc', '-H', 'te: trailers'],
            `http://127.0.0.1:${grpcPort}${GRPC_PATH}`,
          ],
          (seconds + 30) * 1000,
        );
  await load(2); // warm-up, not in the window
  const from = process.hrtime.bigint() / 1000n;
  const out = await load(DURATION);
  const requests = Number((/(\d+) requests in/.exec(out) ?? /(\d+) succeeded/.exec(out))[1]);
  const to = process.hrtime.bigint() / 1000n;
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  check(code === 0, `the service exited with ${code}: ${child.stderrText()}`);
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  check(file, `no profile written in ${dir}`);
  if (args.keep) writeFileSync(join(args.keep, `${adapter}-${transport}.cpuprofile`), readFileSync(join(dir, file)));
  return { requests, ...summarize(JSON.parse(readFileSync(join(dir, file), 'utf8')), Number(from), Number(to)) };
}

/** Where a frame's code comes from: an npm package, a Node built-in, the service, or V8 itself. */
function packageOf({ url, functionName }) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const inModules = url.split('node_modules/').pop();
  if (inModules !== url) return inModules.split('/', inModules.startsWith('@') ? 2 : 1).join('/');
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:');
  if (url.includes('/dist/')) return 'service (dist/)';
  return url;
}

function summarize(profile, from, to) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map();
  let time = profile.startTime;
  profile.samples.forEach((id, i) => {
    time += profile.timeDeltas[i];
    if (time < from || time > to) return;
    // Attribute the interval to the sample that ends it (the usual DevTools convention).
    const delta = profile.timeDeltas[i + 1] ?? 0;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
  });
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  /** Every package on the stack of a node: its time counts towards each of them once. */
  const onStack = (id) => {
    const packages = new Set();
    for (let at = parents.get(id); at !== undefined; at = parents.get(at))
      packages.add(packageOf(nodes.get(at).callFrame));
    packages.add(packageOf(nodes.get(id).callFrame));
    packages.delete('(root)');
    return packages;
  };
  const byPackage = new Map();
  const byPackageTotal = new Map();
  const byFunction = new Map();
  let busy = 0;
  for (const [id, micros] of selfMicros) {
    const frame = nodes.get(id).callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += micros;
    const pkg = packageOf(frame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    // Totals for npm packages and the service only: Node's and V8's plumbing is on every stack.
    for (const name of onStack(id)) {
      if (!/^(node:|\()/.test(name)) byPackageTotal.set(name, (byPackageTotal.get(name) ?? 0) + micros);
    }
    const file = frame.url
      .split('node_modules/')
      .pop()
      .replace(/^.*\/dist\//, 'dist/');
    const fn = `${frame.functionName || '(anonymous)'}  ${file ? `${file}:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
  }
  const top = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, Number(args.top))
      .map(([name, micros]) => ({ name, share: micros / busy }));
  return {
    busySeconds: busy / 1e6,
    windowSeconds: (to - from) / 1e6,
    packages: top(byPackage),
    packagesTotal: top(byPackageTotal),
    functions: top(byFunction),
  };
}

try {
  for (const adapter of args.adapter.split(',')) {
    for (const transport of args.transport.split(',')) {
      const result = await profile(adapter, transport);
      console.log(
        `\n== ${adapter}, ${transport === 'http' ? 'HTTP GET /users/:id' : 'gRPC GetUser'}: ` +
          `${result.requests} requests, ${result.busySeconds.toFixed(1)} s of CPU in a ` +
          `${result.windowSeconds.toFixed(1)} s load window (${Math.round((result.busySeconds * 1e6) / result.requests)} µs/request)`,
      );
      console.log('self time by package:');
      for (const { name, share } of result.packages) console.log(`  ${(share * 100).toFixed(1).padStart(5)}%  ${name}`);
      console.log('total time by npm package (self + everything it calls):');
      for (const { name, share } of result.packagesTotal)
        console.log(`  ${(share * 100).toFixed(1).padStart(5)}%  ${name}`);
      console.log('self time by function:');
      for (const { name, share } of result.functions)
        console.log(`  ${(share * 100).toFixed(1).padStart(5)}%  ${name}`);
    }
  }
} catch (error) {
  console.error(`profile: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(TMP, { recursive: true, force: true });
}
