import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { freePort } from '../support/infra';

/**
 * main.ts exits explicitly after shutdown; this proves it would not need to: after the lifecycle
 * closes the app, nothing the app owns (servers, pools, clients, timers) keeps Node running.
 */
it('leaves no open handle after shutdown, so the process ends by itself', async () => {
  const factory = resolve(__dirname, '../../dist/app.factory.js');
  const script = `
    const { createApp, startApp } = require(${JSON.stringify(factory)});
    (async () => {
      const running = await startApp(await createApp());
      await running.lifecycle.shutdown('test');
      process.stdout.write('SHUTDOWN-DONE\\n');
    })().catch((e) => { console.error(e); process.exit(2); });
  `;
  const child = spawn(process.execPath, ['-e', script], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      ...(process.env.HTTP_ADAPTER ? { HTTP_ADAPTER: process.env.HTTP_ADAPTER } : {}),
      LOG_LEVEL: 'warn',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(await freePort()),
      PGLITE_DATA_DIR: 'memory://',
      SHUTDOWN_DELAY_MS: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(timer);
  expect(out).toContain('SHUTDOWN-DONE');
  // Killed by the timer above means something held the event loop open.
  expect({ code, signal }).toEqual({ code: 0, signal: null });
});
