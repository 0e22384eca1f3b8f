// Baseline (a), gRPC: a bare @grpc/grpc-js server answering user.v1.UserService/GetUser from memory,
// from the service's own proto file with the service's proto-loader options. Nothing else.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { PROTO_LOADER_OPTIONS, PROTO_ROOT } from '../../dist/core/grpc/proto.js';
import { portArg, USER_ID, USER_MESSAGE } from './user.mjs';

const definition = protoLoader.loadSync(join(PROTO_ROOT, 'user/v1/user.proto'), PROTO_LOADER_OPTIONS);
const { UserService } = grpc.loadPackageDefinition(definition).user.v1;
const users = new Map([[USER_ID, USER_MESSAGE]]);

const server = new grpc.Server();
server.addService(UserService.service, {
  getUser(call, callback) {
    const user = users.get(call.request.id);
    if (user) callback(null, { user });
    else callback({ code: grpc.status.NOT_FOUND, details: 'not found' });
  },
});
server.bindAsync(`127.0.0.1:${portArg('grpc')}`, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) throw error;
});
