import { Metadata, status } from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createUserClient, grpcError } from '../support/grpc-client';
import { loopbackPorts } from '../support/infra';
import { isReadyLine, spawnService, stopService } from '../support/service-process';

/** These run the built service as `npm start` does, with real processes, ports and signals. */

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'svc-test-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe('configuration', () => {
  it('exits 1 listing every bad key', async () => {
    const service = spawnService({
      ...(await loopbackPorts()),
      HTTP_PORT: 'eighty',
      DATABASE_URL: 'mysql://localhost/db',
      LOG_LEVEL: 'chatty',
      PGLITE_DATA_DIR: tempDir(),
    });
    const { code } = await service.exited;
    expect(code).toBe(1);
    const stderr = service.stderr.join('\n');
    for (const key of ['HTTP_PORT', 'DATABASE_URL', 'LOG_LEVEL']) expect(stderr).toContain(key);
    expect(stderr).not.toContain('GRPC_PORT');
  });
});

describe('both servers or none', () => {
  it('exits 1 naming the gRPC port when it is taken, without serving HTTP', async () => {
    const env = await loopbackPorts();
    const blocker = await occupy(Number(env.GRPC_PORT));
    try {
      const service = spawnService({ ...env, PGLITE_DATA_DIR: tempDir() });
      const { code } = await service.exited;
      expect(code).toBe(1);
      expect(service.stderr.join('\n')).toContain(`gRPC port ${env.GRPC_PORT}`);
      expect(service.logs().some(isReadyLine)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('exits 1 naming the HTTP port when it is taken, and releases the gRPC port', async () => {
    const env = await loopbackPorts();
    const blocker = await occupy(Number(env.HTTP_PORT));
    try {
      const service = spawnService({ ...env, PGLITE_DATA_DIR: tempDir() });
      const { code } = await service.exited;
      expect(code).toBe(1);
      expect(service.stderr.join('\n')).toContain(`HTTP port ${env.HTTP_PORT}`);
      // Nothing is left listening on the gRPC port.
      (await occupy(Number(env.GRPC_PORT))).close();
    } finally {
      blocker.close();
    }
  });
});

describe('a running service', () => {
  it('logs one access line per HTTP request and gRPC call, with request ids and secrets redacted', async () => {
    const env = await loopbackPorts();
    const service = spawnService({ ...env, PGLITE_DATA_DIR: tempDir(), GRPC_MAX_METADATA_BYTES: '1024' });
    try {
      await service.waitForLog(isReadyLine);
      const base = `http://127.0.0.1:${env.HTTP_PORT}`;
      await request(base)
        .post('/users')
        .set('x-request-id', 'http-log-1')
        .set('authorization', 'Bearer top-secret-token')
        .set('cookie', 'session=top-secret-cookie')
        .send({ name: 'Logged', email: 'logged@example.com', age: 30 })
        .expect(201);
      await request(base).get('/users/not-a-uuid').set('x-request-id', 'http-log-2').expect(400);

      const grpc = createUserClient(`127.0.0.1:${env.GRPC_PORT}`);
      const metadata = new Metadata();
      metadata.set('x-request-id', 'grpc-log-1');
      metadata.set('authorization', 'Bearer grpc-secret');
      await grpc.listUsers({ pageSize: 5 }, metadata);
      const failing = new Metadata();
      failing.set('x-request-id', 'grpc-log-2');
      expect((await grpcError(grpc.getUser({ id: 'bad' }, failing))).code).toBe(status.INVALID_ARGUMENT);
      // Refused before it reaches Nest: logged all the same.
      const oversized = new Metadata();
      oversized.set('x-request-id', 'grpc-log-3');
      oversized.set('x-padding', 'p'.repeat(2048));
      expect((await grpcError(grpc.listUsers({}, oversized))).code).toBe(status.RESOURCE_EXHAUSTED);
      grpc.close();

      const created = await service.waitForLog((l) => l.requestId === 'http-log-1' && 'res' in l);
      expect(created).toMatchObject({ req: { method: 'POST', url: '/users' }, res: { statusCode: 201 } });
      expect(created.durationMs).toEqual(expect.any(Number));
      const rejected = await service.waitForLog((l) => l.requestId === 'http-log-2' && 'res' in l);
      expect(rejected).toMatchObject({ res: { statusCode: 400 } });

      const rpc = await service.waitForLog((l) => l.requestId === 'grpc-log-1' && 'grpcCode' in l);
      expect(rpc).toMatchObject({ grpc: { method: '/user.v1.UserService/ListUsers' }, grpcCode: 0, code: 'OK' });
      expect(rpc.durationMs).toEqual(expect.any(Number));
      const rpcFailed = await service.waitForLog((l) => l.requestId === 'grpc-log-2' && 'grpcCode' in l);
      expect(rpcFailed).toMatchObject({ grpcCode: status.INVALID_ARGUMENT, code: 'INVALID_ARGUMENT' });
      const rpcRefused = await service.waitForLog((l) => l.requestId === 'grpc-log-3' && 'grpcCode' in l);
      expect(rpcRefused).toMatchObject({ grpcCode: status.RESOURCE_EXHAUSTED, code: 'RESOURCE_EXHAUSTED' });

      const all = service.stdout.join('\n');
      expect(all).not.toContain('top-secret');
      expect(all).not.toContain('grpc-secret');
      expect(all).toContain('[redacted]');
      expect(service.logs().filter((l) => l.requestId === 'http-log-1' && 'res' in l)).toHaveLength(1);
      expect(service.logs().filter((l) => l.requestId === 'grpc-log-1' && 'grpcCode' in l)).toHaveLength(1);
    } finally {
      await stopService(service);
    }
  });

  it('exits by itself on SIGTERM and keeps embedded data across restarts', async () => {
    const dataDir = tempDir();
    const env = { ...(await loopbackPorts()), PGLITE_DATA_DIR: dataDir };
    const first = spawnService(env);
    await first.waitForLog(isReadyLine);
    const base = `http://127.0.0.1:${env.HTTP_PORT}`;
    const created = await request(base)
      .post('/users')
      .send({ name: 'Kept', email: 'kept@example.com', age: 50 })
      .expect(201);
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    // A clean shutdown sequence ends in exit code 0.
    expect(exit).toEqual({ code: 0, signal: null });

    const second = spawnService(env);
    try {
      await second.waitForLog(isReadyLine);
      const read = await request(base).get(`/users/${created.body.id}`).expect(200);
      expect(read.body.email).toBe('kept@example.com');
    } finally {
      await stopService(second);
    }
  });
});
