import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loopbackPorts } from './infra';

export const MAIN_JS = resolve(__dirname, '../../dist/main.js');

export interface ServiceProcess {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Parsed JSON log lines so far. */
  logs(): Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

/**
 * Runs the built service (`dist/main.js`, as `npm start` does) as a real child process with the
 * given environment on top of a clean one.
 */
export function spawnService(env: Record<string, string>, script = MAIN_JS): ServiceProcess {
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [script], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      // The suite runs once per adapter (CI sets HTTP_ADAPTER); spawned services follow it.
      ...(process.env.HTTP_ADAPTER ? { HTTP_ADAPTER: process.env.HTTP_ADAPTER } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (sink: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      sink.push(...lines.filter((l) => l.length > 0));
      for (const wake of waiters) wake();
    };
  };
  child.stdout.on('data', collect(stdout));
  child.stderr.on('data', collect(stderr));
  const exited = once(child, 'exit').then(([code, signal]) => {
    for (const wake of waiters) wake();
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  const logs = () =>
    stdout.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    child,
    stdout,
    stderr,
    logs,
    exited,
    waitForLog: (predicate, timeoutMs = 20_000) =>
      new Promise((resolvePromise, reject) => {
        const check = () => {
          const found = logs().find(predicate);
          if (found) {
            cleanup();
            resolvePromise(found);
          } else if (done) {
            cleanup();
            reject(new Error(`process exited before the log line appeared:\n${stderr.join('\n')}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`log line not seen within ${timeoutMs}ms:\n${stdout.slice(-20).join('\n')}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}

export const isReadyLine = (line: Record<string, unknown>) =>
  typeof line.msg === 'string' && line.msg.startsWith('ready:');

/**
 * Spawns the built service on free loopback ports (plus `env`) and waits until it is ready; `http`
 * is its base URL and `grpc` its address for a client.
 */
export async function startService(env: Record<string, string>): Promise<{
  service: ServiceProcess;
  http: string;
  grpc: string;
}> {
  const ports = await loopbackPorts();
  const service = spawnService({ ...ports, ...env });
  await service.waitForLog(isReadyLine);
  return { service, http: `http://127.0.0.1:${ports.HTTP_PORT}`, grpc: `127.0.0.1:${ports.GRPC_PORT}` };
}

/** Sends a signal if the process is still alive and waits for it to end. */
export async function stopService(service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill(signal);
  return service.exited;
}
