import { Get } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { createServer, get, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfigType } from '@nestjs/config';
import type { protectionConfig } from '../config/config';
import { Deadline, LongRunning } from './deadline';
import { HttpDeadline } from './http-deadline';

const noop = () => undefined;
/** Runs `work` under a deadline at `at` whose timer is cleared again at once. */
const within = <T>(at: number, work: () => T): T =>
  Deadline.run(at, noop, (deadline) => {
    deadline.clear();
    return work();
  });

class Exports {
  @LongRunning()
  @Get('export')
  export(): number | undefined {
    return Deadline.remainingMs();
  }
}

describe('LongRunning', () => {
  it("lifts the caller's deadline when the handler is called, and keeps the route's metadata", () => {
    expect(Reflect.getMetadata(PATH_METADATA, Exports.prototype.export)).toBe('export');
    expect(Exports.prototype.export.name).toBe('export');
    expect(within(Date.now() + 60_000, () => Deadline.remainingMs())).toBeGreaterThan(59_000);
    expect(within(Date.now() + 60_000, () => new Exports().export())).toBeUndefined();
  });

  it('does not lift a deadline that has passed (the caller has had its answer)', () => {
    expect(within(Date.now() - 1, () => new Exports().export())).toBe(0);
  });
});

describe('HttpDeadline', () => {
  const timeoutMs = 150;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const deadline = new HttpDeadline({ requestTimeoutMs: timeoutMs } as ConfigType<typeof protectionConfig>);
    server = createServer((request, response) =>
      deadline.run(
        response,
        'req-1',
        (problem) => {
          response.statusCode = problem.status;
          response.end(JSON.stringify(problem));
        },
        () => {
          const remaining = Deadline.remainingMs();
          if (request.url === '/remaining') {
            response.end(String(remaining));
            return;
          }
          if (request.url === '/lifted') Deadline.lift();
          // Answers after the deadline: dropped when the deadline has answered first.
          setTimeout(() => {
            if (!response.writableEnded) response.end(`late ${String(Deadline.remainingMs())}`);
          }, timeoutMs * 2);
        },
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const fetchText = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) =>
      get(`${base}${path}`, (response: IncomingMessage) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += String(chunk)));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      }).on('error', reject),
    );

  it('gives the handler the time left', async () => {
    const { status, body } = await fetchText('/remaining');
    expect(status).toBe(200);
    expect(Number(body)).toBeGreaterThan(timeoutMs - 50);
    expect(Number(body)).toBeLessThanOrEqual(timeoutMs);
  });

  it('answers 504 DEADLINE_EXCEEDED when the handler has not answered in time', async () => {
    const { status, body } = await fetchText('/slow');
    expect(status).toBe(504);
    expect(JSON.parse(body)).toMatchObject({ status: 504, code: 'DEADLINE_EXCEEDED', requestId: 'req-1' });
  });

  it('lets a handler that lifted it answer later, with no deadline left to bound its queries', async () => {
    expect(await fetchText('/lifted')).toEqual({ status: 200, body: 'late undefined' });
  });
});
