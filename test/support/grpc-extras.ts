import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { PROTO_LOADER_OPTIONS, PROTO_ROOT } from '../../src/core/grpc/proto';
import type { User } from '../../src/generated/user/v1/user';

const REFLECTION_PROTO = join(
  require.resolve('@grpc/reflection/package.json'),
  '../build/proto/grpc/reflection/v1/reflection.proto',
);

function load<T>(file: string): T {
  return grpc.loadPackageDefinition(protoLoader.loadSync(file, PROTO_LOADER_OPTIONS)) as T;
}

type Ctor = grpc.ServiceClientConstructor;

/** grpc.health.v1.Health: Check, and Watch collecting every status it is told. */
export function createHealthClient(address: string) {
  const { grpc: pkg } = load<{ grpc: { health: { v1: { Health: Ctor } } } }>(healthProtoPath);
  const client = new pkg.health.v1.Health(address, grpc.credentials.createInsecure()) as grpc.Client &
    Record<string, (...args: unknown[]) => unknown>;
  return {
    check: (service: string) =>
      new Promise<string>((resolve, reject) =>
        client.check!(
          { service },
          { deadline: Date.now() + 5000 },
          (error: Error | null, response: { status: string }) => (error ? reject(error) : resolve(response.status)),
        ),
      ),
    watch: (service: string) => {
      const statuses: string[] = [];
      const call = client.watch!({ service }) as grpc.ClientReadableStream<{ status: string }>;
      call.on('data', (message: { status: string }) => statuses.push(message.status));
      call.on('error', () => undefined);
      return { statuses, cancel: () => call.cancel() };
    },
    close: () => client.close(),
  };
}

/** grpc.reflection.v1: the service names a reflection client (grpcurl list) would show. */
export function listServicesByReflection(address: string): Promise<string[]> {
  const { grpc: pkg } = load<{ grpc: { reflection: { v1: { ServerReflection: Ctor } } } }>(REFLECTION_PROTO);
  const client = new pkg.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure()) as grpc.Client &
    Record<string, () => grpc.ClientDuplexStream<unknown, { listServicesResponse?: { service: { name: string }[] } }>>;
  return new Promise((resolve, reject) => {
    const call = client.serverReflectionInfo!();
    call.on('data', (response: { listServicesResponse?: { service: { name: string }[] } }) => {
      resolve((response.listServicesResponse?.service ?? []).map((s) => s.name));
      call.end();
      client.close();
    });
    call.on('error', reject);
    call.write({ listServices: '' });
  });
}

export interface ExportResult {
  users: User[];
  /** The gRPC status the stream ended with (0 = OK). */
  code: number;
  details: string;
  /** The x-request-id response header. */
  requestId?: string;
}

/**
 * Reads an ExportUsers stream. `pauseAfter` stops reading after that many messages (the server
 * then feels backpressure) until `resume()` is called.
 */
export function exportUsers(
  address: string,
  afterId = '',
  options: { pauseAfter?: number; metadata?: grpc.Metadata } = {},
) {
  const { user } = load<{ user: { v1: { UserService: Ctor } } }>(join(PROTO_ROOT, 'user/v1/user.proto'));
  const client = new user.v1.UserService(address, grpc.credentials.createInsecure()) as grpc.Client &
    Record<string, (request: unknown, metadata?: grpc.Metadata) => grpc.ClientReadableStream<{ user: User }>>;
  const call = client.exportUsers!({ afterId }, options.metadata ?? new grpc.Metadata());
  let requestId: string | undefined;
  call.on('metadata', (headers: grpc.Metadata) => (requestId = headers.get('x-request-id')[0]?.toString()));
  const users: User[] = [];
  let firstMessage: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (firstMessage = resolve));
  call.on('data', (message: { user: User }) => {
    users.push(message.user);
    firstMessage();
    if (options.pauseAfter !== undefined && users.length === options.pauseAfter) call.pause();
  });
  const done = new Promise<ExportResult>((resolve) => {
    call.on('error', (error: grpc.ServiceError) =>
      resolve({ users, code: error.code, details: error.details, requestId }),
    );
    call.on('status', (status: grpc.StatusObject) => {
      if (status.code === grpc.status.OK) resolve({ users, code: 0, details: status.details, requestId });
    });
  });
  void done.finally(() => client.close());
  return { users, started, done, resume: () => call.resume(), cancel: () => call.cancel() };
}
