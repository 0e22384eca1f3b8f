// Shared by bench/run.mjs and bench/profile.mjs: CPU placement, /proc readings, the small clients
// that set up and check a server, and how the servers under test are started.
import { Buffer } from 'node:buffer';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:http2';
import { join } from 'node:path';
import { clearTimeout } from 'node:timers';

export const ROOT = join(import.meta.dirname, '..');
export const GRPC_PATH = '/user.v1.UserService/GetUser';

/** A measurement that cannot be trusted: the run stops and exits 1. */
export class BrokenMeasurement extends Error {}
export const check = (ok, message) => {
  if (!ok) throw new BrokenMeasurement(message);
};
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const has = (tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------------------------------------
// CPU placement: servers on CPU 0, this process and the load generators on CPU 1.

export const PINNED = (() => {
  try {
    execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
export const onCpu = (cpu, command, argv) =>
  PINNED ? ['taskset', ['-c', String(cpu), command, ...argv]] : [command, argv];

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();

// ---------------------------------------------------------------------------------------------
// /proc readings

/** [own CPU, reaped children's CPU] of a process, in microseconds. */
export function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // After "pid (comm) ": state is field 0, utime 11, stime 12, cutime 13, cstime 14.
  const us = (ticks) => (ticks * 1e6) / CLK_TCK;
  return [us(Number(fields[11]) + Number(fields[12])), us(Number(fields[13]) + Number(fields[14]))];
}

/** A memory figure of /proc/<pid>/status (VmRSS, VmHWM), in MiB. */
export function memoryMiB(pid, key) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}:`));
  return Number(line.split(/\s+/)[1]) / 1024;
}

// ---------------------------------------------------------------------------------------------
// Clients used to set up and check each case (not to load it)

export function http(url, { method = 'GET', body } = {}) {
  return new Promise((resolve, reject) => {
    const headers = body ? { 'content-type': 'application/json' } : {};
    const req = request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** GetUserRequest { id } as a gRPC frame: 1 byte flags, 4 bytes length, the protobuf message. */
export function getUserFrame(id) {
  const message = Buffer.concat([Buffer.from([0x0a, Buffer.byteLength(id)]), Buffer.from(id)]);
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** One raw GetUser over HTTP/2: the grpc-status and the response body (all DATA bytes). */
export function grpcCall(port, frame) {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const req = session.request({
      ':method': 'POST',
      ':path': GRPC_PATH,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let headers = {};
    let trailers = {};
    const chunks = [];
    req.on('response', (h) => (headers = h));
    req.on('trailers', (t) => (trailers = t));
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('error', (error) => (session.destroy(), reject(error)));
    req.on('end', () => {
      session.close();
      resolve({ status: Number(trailers['grpc-status'] ?? headers['grpc-status']), body: Buffer.concat(chunks) });
    });
    req.end(frame);
  });
}

export async function until(what, probe, timeoutMs, child) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    check(child.exitCode === null && child.signalCode === null, `${what}: the server exited (${child.stderrText()})`);
    try {
      if (await probe()) return;
    } catch {
      /* not up yet */
    }
    check(performance.now() < deadline, `${what}: not ready after ${timeoutMs} ms (${child.stderrText()})`);
    await sleep(10);
  }
}

// ---------------------------------------------------------------------------------------------
// Servers under test

export function serviceEnv(adapter, httpPort, grpcPort, extra = {}) {
  return {
    NODE_ENV: 'production',
    HTTP_ADAPTER: adapter,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(grpcPort),
    LOG_LEVEL: 'info', // an access line per request and per RPC
    LOG_FORMAT: 'json',
    PGLITE_DATA_DIR: 'memory://',
    RATE_LIMIT_ENABLED: 'true', // on, with a limit this load cannot reach
    RATE_LIMIT_BURST: '1000000000',
    RATE_LIMIT_PER_SECOND: '1000000000',
    AUTH_MODE: 'none',
    MANAGEMENT_ACCESS: 'public',
    SHUTDOWN_DELAY_MS: '0',
    ...extra,
  };
}

/** Spawns a server pinned to CPU 0; its stdout goes to `stdoutPath` (or nowhere). */
export function spawnServer(argv, env, stdoutPath, nodeOptions = []) {
  const stdout = stdoutPath ? openSync(stdoutPath, 'w') : 'ignore';
  const [command, commandArgs] = onCpu(0, process.execPath, [...nodeOptions, ...argv]);
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', stdout, 'pipe'],
  });
  if (typeof stdout === 'number') closeSync(stdout);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)));
  child.stderrText = () => stderr.trim() || 'no stderr';
  child.stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  };
  return child;
}

/** Runs a load generator on CPU 1; resolves with its stdout, throws if it fails. */
export async function runTool(command, argv, timeoutMs) {
  const [cmd, cmdArgs] = onCpu(1, command, argv);
  const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  check(code === 0, `${command} exited with ${code}: ${err.trim() || out.trim()}`);
  return out;
}
