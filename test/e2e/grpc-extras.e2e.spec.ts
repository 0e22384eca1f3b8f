import { Metadata, status } from '@grpc/grpc-js';
import request from 'supertest';
import { createHealthClient, exportUsers, listServicesByReflection } from '../support/grpc-extras';
import { startTestApp, TestApp } from '../support/test-app';

let t: TestApp;
const ids: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  // More than one export batch (200), to cross a batch boundary.
  for (let i = 0; i < 450; i++) {
    const { response } = await t.client.createUser({
      name: `Export ${i}`,
      email: `export${i}@example.com`,
      age: i % 100,
    });
    ids.push(response.user!.id);
  }
});
afterAll(async () => {
  await t?.close();
});

describe('ExportUsers', () => {
  it('streams every user in creation order over gRPC', async () => {
    const result = await exportUsers(t.grpcAddress).done;
    expect(result.code).toBe(0);
    expect(result.users.map((u) => u.id)).toEqual(ids);
  });

  it('resumes after a given id', async () => {
    const result = await exportUsers(t.grpcAddress, ids[299]).done;
    expect(result.users.map((u) => u.id)).toEqual(ids.slice(300));
  });

  it('keeps going for a reader that pauses (flow control) and finishes when it resumes', async () => {
    const stream = exportUsers(t.grpcAddress, '', { pauseAfter: 10 });
    await stream.started;
    await new Promise((resolve) => setTimeout(resolve, 200));
    stream.resume();
    const result = await stream.done;
    expect(result.code).toBe(0);
    expect(result.users).toHaveLength(ids.length);
  });

  it('is not cut by REQUEST_TIMEOUT_MS: a stream lasts as long as its reader reads', async () => {
    // Short enough to matter, long enough that seeding on a busy machine never hits it.
    const timeoutMs = 1500;
    const short = await startTestApp({ REQUEST_TIMEOUT_MS: String(timeoutMs) });
    try {
      for (let i = 0; i < 300; i++)
        await short.client.createUser({ name: `T${i}`, email: `t${i}@example.com`, age: 1 });
      const stream = exportUsers(short.grpcAddress, '', { pauseAfter: 1 });
      await stream.started;
      // The reader stalls for twice the request timeout; the stream must still complete.
      await new Promise((resolve) => setTimeout(resolve, 2 * timeoutMs));
      stream.resume();
      const result = await stream.done;
      expect(result.code).toBe(0);
      expect(result.users).toHaveLength(300);
    } finally {
      await short.close();
    }
  });

  it('rejects a malformed after_id', async () => {
    const result = await exportUsers(t.grpcAddress, 'nope').done;
    expect(result.code).toBe(status.INVALID_ARGUMENT);
  });

  it('echoes the request id on a stream that sends messages, none, or fails', async () => {
    for (const [afterId, code, count] of [
      ['', status.OK, ids.length],
      [ids[ids.length - 1]!, status.OK, 0],
      ['nope', status.INVALID_ARGUMENT, 0],
    ] as const) {
      const metadata = new Metadata();
      metadata.set('x-request-id', `stream-${code}-${count}`);
      const result = await exportUsers(t.grpcAddress, afterId, { metadata }).done;
      expect(result).toMatchObject({ code, requestId: `stream-${code}-${count}` });
      expect(result.users).toHaveLength(count);
    }
  });

  it('streams NDJSON over HTTP, resumable with ?after=', async () => {
    const res = await request(t.httpUrl).get('/users/export').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = res.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string });
    expect(lines.map((u) => u.id)).toEqual(ids);
    const resumed = await request(t.httpUrl).get('/users/export').query({ after: ids[439] }).expect(200);
    expect(resumed.text.trim().split('\n')).toHaveLength(10);
    await request(t.httpUrl).get('/users/export').query({ after: 'x' }).expect(400);
  });
});

describe('gRPC health and reflection', () => {
  it('serves grpc.health.v1 for the server and for user.v1.UserService', async () => {
    const health = createHealthClient(t.grpcAddress);
    try {
      expect(await health.check('')).toBe('SERVING');
      expect(await health.check('user.v1.UserService')).toBe('SERVING');
      await expect(health.check('no.such.Service')).rejects.toMatchObject({ code: status.NOT_FOUND });
    } finally {
      health.close();
    }
  });

  it('lists the services, health included, to a reflection client', async () => {
    const services = await listServicesByReflection(t.grpcAddress);
    expect(services).toEqual(expect.arrayContaining(['user.v1.UserService', 'grpc.health.v1.Health']));
  });

  it('serves no reflection when GRPC_REFLECTION=false', async () => {
    const quiet = await startTestApp({ GRPC_REFLECTION: 'false' });
    try {
      await expect(listServicesByReflection(quiet.grpcAddress)).rejects.toMatchObject({ code: status.UNIMPLEMENTED });
      expect(await createHealthClient(quiet.grpcAddress).check('')).toBe('SERVING');
    } finally {
      await quiet.close();
    }
  });
});
