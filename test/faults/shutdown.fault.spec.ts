import { Metadata, status } from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUserClient, grpcError } from '../support/grpc-client';
import { createHealthClient, exportUsers } from '../support/grpc-extras';
import { eventually, httpRequest } from '../support/http';
import { ServiceProcess, startService, stopService } from '../support/service-process';

/** The shutdown contract, with the built service as a real process and real signals. */

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function start(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'svc-shutdown-'));
  dirs.push(dir);
  const { service, http, grpc } = await startService({
    PGLITE_DATA_DIR: dir,
    READINESS_PROBE_INTERVAL_MS: '200',
    ...env,
  });
  return { service, base: http, grpcAddress: grpc };
}

const delayed = (ms: number) => {
  const metadata = new Metadata();
  metadata.set('x-debug-delay-ms', String(ms));
  return metadata;
};

/** Index of the first log line matching, for asserting on order. */
function indexOf(service: ServiceProcess, predicate: (line: Record<string, unknown>) => boolean): number {
  return service.logs().findIndex(predicate);
}
const msg = (text: string) => (line: Record<string, unknown>) =>
  typeof line.msg === 'string' && line.msg.includes(text);

describe('SIGTERM with work in flight', () => {
  let ctx: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    ctx = await start({ SHUTDOWN_DELAY_MS: '1500', SHUTDOWN_TIMEOUT_MS: '8000' });
  });
  afterAll(async () => {
    await stopService(ctx.service, 'SIGKILL');
  });

  it('turns not ready first, keeps serving through the delay, completes in-flight work, tears down in order, exits 0', async () => {
    const { service, base, grpcAddress } = ctx;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const grpc = createUserClient(grpcAddress);
    const health = createHealthClient(grpcAddress);
    const watch = health.watch('user.v1.UserService');
    await eventually(async () => watch.statuses.includes('SERVING'));

    // Warm the keep-alive socket, then hold one request and one RPC in flight across SIGTERM.
    expect((await httpRequest(`${base}/healthz`, { agent })).headers.connection).toBe('keep-alive');
    const slowHttp = httpRequest(`${base}/users`, { agent, headers: { 'x-debug-delay-ms': '2500' } });
    const slowGrpc = grpc.listUsers({ pageSize: 5 }, delayed(2500));
    await eventually(async () => service.logs().length > 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    service.child.kill('SIGTERM');

    // 1. Readiness flips while the listeners still accept: new connections see 503, liveness 200.
    await eventually(async () => (await httpRequest(`${base}/readyz`)).status === 503);
    expect((await httpRequest(`${base}/healthz`)).status).toBe(200);
    expect(await health.check('')).toBe('NOT_SERVING');
    expect(await health.check('user.v1.UserService')).toBe('NOT_SERVING');
    await eventually(async () => watch.statuses.at(-1) === 'NOT_SERVING');
    // 2. ...and new work is still served normally during the delay, on both transports.
    expect((await httpRequest(`${base}/users`)).status).toBe(200);
    expect((await grpc.listUsers({ pageSize: 1 })).response.users).toBeDefined();
    expect(indexOf(service, msg('draining HTTP and gRPC'))).toBe(-1);

    // 3. The in-flight request and call complete; the keep-alive client is told to close.
    const http = await slowHttp;
    expect(http.status).toBe(200);
    expect(http.headers.connection).toBe('close');
    const rpc = await slowGrpc;
    expect(rpc.response.users).toBeDefined();
    grpc.close();
    agent.destroy();

    // 5. Exit 0 after the whole sequence; the open health Watch does not hold the drain up.
    const exit = await service.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    watch.cancel();
    health.close();

    // Order: readiness -> delay -> drain -> teardown (clients, cache, database, logger) -> done.
    const order = [
      indexOf(service, msg('readiness -> false')),
      indexOf(service, msg('serving normally for 1500ms')),
      indexOf(service, msg('draining HTTP and gRPC')),
      indexOf(service, msg('drained in')),
      indexOf(service, msg('teardown OUTBOUND_CLIENTS')),
      indexOf(service, msg('teardown CACHE')),
      indexOf(service, msg('teardown DATABASE')),
      indexOf(service, msg('teardown LOGGER')),
      indexOf(service, msg('shutdown complete')),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const teardown = service
      .logs()
      .filter(msg('teardown '))
      .map((l) => (l.teardown as { phase: string }).phase);
    // Every phase ran, in the contract's order (a phase may hold several steps).
    expect(teardown.filter((phase, i) => phase !== teardown[i - 1])).toEqual([
      'OUTBOUND_CLIENTS',
      'CACHE',
      'DATABASE',
      'LOGGER',
    ]);
    const drained = service.logs().find(msg('drained in'))!;
    expect(drained).toMatchObject({ http: { cut: 0 }, grpc: { cut: 0 } });
  });
});

describe('the drain deadline', () => {
  it('cuts what cannot finish, ends streams with UNAVAILABLE, counts them, and still exits 0', async () => {
    const { service, base, grpcAddress } = await start({ SHUTDOWN_DELAY_MS: '0', SHUTDOWN_TIMEOUT_MS: '1000' });
    const grpc = createUserClient(grpcAddress);
    // Enough rows that the export outgrows the HTTP/2 flow-control window and the server's buffer.
    const total = 3000;
    for (let batch = 0; batch < total; batch += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          grpc.createUser({ name: `S${batch + i}`, email: `s${batch + i}@example.com`, age: 1 }),
        ),
      );
    }

    const stuckHttp = httpRequest(`${base}/users`, { headers: { 'x-debug-delay-ms': '30000' } }).then(
      () => 'answered',
      () => 'cut',
    );
    const stuckGrpc = grpcError(grpc.listUsers({ pageSize: 1 }, delayed(30000)));
    // A reader that stops reading: the server's writes block on flow control and cannot finish.
    const stream = exportUsers(grpcAddress, '', { pauseAfter: 1 });
    await stream.started;
    await new Promise((resolve) => setTimeout(resolve, 300));
    service.child.kill('SIGTERM');

    expect(await stuckHttp).toBe('cut');
    expect((await stuckGrpc).code).toBe(status.UNAVAILABLE);
    stream.resume();
    const streamed = await stream.done;
    expect(streamed.code).toBe(status.UNAVAILABLE);
    expect(streamed.users.length).toBeLessThan(total);
    grpc.close();

    const exit = await service.exited;
    if (exit.code !== 0) console.log(service.stdout.slice(-15).join('\n'), service.stderr.join('\n'));
    expect(exit.code).toBe(0);
    const drained = service.logs().find(msg('drain deadline reached'))!;
    expect(drained).toMatchObject({ http: { cut: 1 }, grpc: { cut: 2 } });
    // Seeding 3000 rows is most of the time; a busy CI machine needs more than the default budget.
  }, 90_000);
});

describe('a stream in flight at SIGTERM', () => {
  it('finishes when it can before the deadline', async () => {
    const { service, grpcAddress } = await start({ SHUTDOWN_DELAY_MS: '0', SHUTDOWN_TIMEOUT_MS: '8000' });
    const grpc = createUserClient(grpcAddress);
    for (let i = 0; i < 300; i++) await grpc.createUser({ name: `F${i}`, email: `f${i}@example.com`, age: 1 });
    grpc.close();
    const stream = exportUsers(grpcAddress, '', { pauseAfter: 1 });
    await stream.started;
    service.child.kill('SIGTERM');
    await service.waitForLog(msg('draining HTTP and gRPC'));
    stream.resume();
    const result = await stream.done;
    expect(result.code).toBe(0);
    expect(result.users).toHaveLength(300);
    expect((await service.exited).code).toBe(0);
  });
});

describe('a second signal', () => {
  it('exits at once, non-zero', async () => {
    const { service } = await start({ SHUTDOWN_DELAY_MS: '30000' });
    service.child.kill('SIGTERM');
    await service.waitForLog(msg('serving normally for 30000ms'));
    service.child.kill('SIGINT');
    const exit = await service.exited;
    expect(exit.code).toBe(130);
    expect(service.logs().some(msg('second SIGINT'))).toBe(true);
  });
});
