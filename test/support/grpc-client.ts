import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { PROTO_LOADER_OPTIONS, PROTO_ROOT } from '../../src/core/grpc/proto';
import type {
  CreateUserRequest,
  CreateUserResponse,
  DeleteUserRequest,
  DeleteUserResponse,
  GetUserRequest,
  GetUserResponse,
  ListUsersRequest,
  ListUsersResponse,
  UpdateUserRequest,
  UpdateUserResponse,
} from '../../src/generated/user/v1/user';

/** What a unary call resolves to: the response plus the server's headers. */
export interface UnaryResult<T> {
  response: T;
  headers: grpc.Metadata;
}

type UnaryInvoker<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

export type Unary<Req, Res> = (request: Req, metadata?: grpc.Metadata) => Promise<UnaryResult<Res>>;

/** What every test client has besides its unary methods. */
export interface GrpcTestClient {
  raw: grpc.Client;
  close(): void;
}

export interface UserServiceTestClient extends GrpcTestClient {
  createUser: Unary<Partial<CreateUserRequest>, CreateUserResponse>;
  getUser: Unary<Partial<GetUserRequest>, GetUserResponse>;
  listUsers: Unary<Partial<ListUsersRequest>, ListUsersResponse>;
  updateUser: Unary<Partial<UpdateUserRequest>, UpdateUserResponse>;
  deleteUser: Unary<Partial<DeleteUserRequest>, DeleteUserResponse>;
}

/**
 * A real grpc-js client built from the same proto file the server loads, with every unary method
 * of `service` (e.g. `user.v1.UserService`, from `protoFile` under proto/) as a promise. Each
 * feature's e2e spec builds its own typed client with this.
 */
export function createGrpcTestClient<T extends GrpcTestClient>(address: string, protoFile: string, service: string): T {
  const definition = protoLoader.loadSync(join(PROTO_ROOT, protoFile), PROTO_LOADER_OPTIONS);
  const Client = service
    .split('.')
    .reduce<unknown>((scope, name) => (scope as Record<string, unknown>)[name], grpc.loadPackageDefinition(definition));
  if (typeof Client !== 'function') throw new Error(`${service} is not defined in ${protoFile}`);
  const ServiceClient = Client as grpc.ServiceClientConstructor;
  const client = new ServiceClient(address, grpc.credentials.createInsecure());
  const unary =
    <Req, Res>(method: string): Unary<Req, Res> =>
    (request, metadata = new grpc.Metadata()) =>
      new Promise((resolve, reject) => {
        let headers = new grpc.Metadata();
        const invoke = (client as unknown as Record<string, UnaryInvoker<Req, Res>>)[method]!;
        const call = invoke.call(
          client,
          request,
          metadata,
          { deadline: Date.now() + 10_000 },
          (error: grpc.ServiceError | null, response: Res) => (error ? reject(error) : resolve({ response, headers })),
        );
        call.on('metadata', (received: grpc.Metadata) => {
          headers = received;
        });
      });
  const methods = Object.values(ServiceClient.service)
    .filter((method) => !method.requestStream && !method.responseStream)
    // proto-loader names each method's camelCase form `originalName` (CreateUser -> createUser).
    .map((method) => [method.originalName!, unary(method.originalName!)]);
  return { ...Object.fromEntries(methods), raw: client, close: () => client.close() } as T;
}

/** user.v1.UserService, which every TestApp carries as `client`. */
export function createUserClient(address: string): UserServiceTestClient {
  return createGrpcTestClient<UserServiceTestClient>(address, 'user/v1/user.proto', 'user.v1.UserService');
}

/** Awaits a call that must fail and returns its gRPC error. */
export async function grpcError(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('expected the gRPC call to fail');
}
