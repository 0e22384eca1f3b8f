// Baseline (b): a minimal ("stock") Nest hybrid app, `node minimal-nest.mjs express|fastify`. Same
// route and RPC as the service (GET /users/:id, user.v1.UserService/GetUser from the service's
// proto), answered from memory, with none of the production features: no logger, no pipes, no
// guards, no interceptors, no filters, no helmet.
import 'reflect-metadata';
import common from '@nestjs/common';
import core from '@nestjs/core';
import microservices from '@nestjs/microservices';
import { PROTO_LOADER_OPTIONS } from '../../dist/core/grpc/proto.js';
import { portArg, USER_ID, USER_JSON, USER_MESSAGE } from './user.mjs';

const { Controller, Get, Module, NotFoundException, Param } = common;
const { NestFactory } = core;
const { GrpcMethod, RpcException, Transport } = microservices;

const users = new Map([[USER_ID, { json: USER_JSON, message: USER_MESSAGE }]]);

class UsersController {
  get(id) {
    const user = users.get(id);
    if (!user) throw new NotFoundException();
    return user.json;
  }

  getUser(request) {
    const user = users.get(request.id);
    if (!user) throw new RpcException({ code: 5, message: 'not found' });
    return { user: user.message };
  }
}
// Plain JavaScript has no decorator syntax: apply them as TypeScript would.
const method = (name, decorators) =>
  Reflect.decorate(
    decorators,
    UsersController.prototype,
    name,
    Object.getOwnPropertyDescriptor(UsersController.prototype, name),
  );
method('get', [Get('users/:id'), Reflect.metadata('design:paramtypes', [String])]);
Param('id')(UsersController.prototype, 'get', 0);
method('getUser', [GrpcMethod('UserService', 'GetUser')]);
Controller()(UsersController);

class AppModule {}
Module({ controllers: [UsersController] })(AppModule);

const adapterName = process.argv[2] ?? 'express';
const adapter =
  adapterName === 'fastify'
    ? new (await import('@nestjs/platform-fastify')).default.FastifyAdapter()
    : new (await import('@nestjs/platform-express')).default.ExpressAdapter();
const app = await NestFactory.create(AppModule, adapter, { logger: false });
app.connectMicroservice({
  transport: Transport.GRPC,
  options: {
    url: `127.0.0.1:${portArg('grpc')}`,
    package: 'user.v1',
    protoPath: 'user/v1/user.proto',
    loader: PROTO_LOADER_OPTIONS,
  },
});
await app.startAllMicroservices();
await app.listen(portArg('http'), '127.0.0.1');
