import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { PROTO_LOADER_OPTIONS, PROTO_ROOT } from '../../src/core/grpc/grpc.options';
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

type Unary<Req, Res> = (request: Req, metadata?: grpc.Metadata) => Promise<UnaryResult<Res>>;

export interface UserServiceTestClient {
  createUser: Unary<Partial<CreateUserRequest>, CreateUserResponse>;
  getUser: Unary<Partial<GetUserRequest>, GetUserResponse>;
  listUsers: Unary<Partial<ListUsersRequest>, ListUsersResponse>;
  updateUser: Unary<Partial<UpdateUserRequest>, UpdateUserResponse>;
  deleteUser: Unary<Partial<DeleteUserRequest>, DeleteUserResponse>;
  raw: grpc.Client;
  close(): void;
}

/** A real grpc-js client built from the same proto file the server loads. */
export function createUserClient(address: string): UserServiceTestClient {
  const definition = protoLoader.loadSync(join(PROTO_ROOT, 'user/v1/user.proto'), PROTO_LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    user: { v1: { UserService: grpc.ServiceClientConstructor } };
  };
  const client = new loaded.user.v1.UserService(address, grpc.credentials.createInsecure());
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
  return {
    createUser: unary('createUser'),
    getUser: unary('getUser'),
    listUsers: unary('listUsers'),
    updateUser: unary('updateUser'),
    deleteUser: unary('deleteUser'),
    raw: client,
    close: () => client.close(),
  };
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
