import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { AddressInfo, Server } from 'node:net';
import { AppModule } from './app.module';
import { grpcConfig, httpConfig } from './core/config/config';
import { ErrorsFilter } from './core/errors/errors.filter';
import { createValidationPipe } from './core/errors/validation.pipe';
import { grpcServerOptions } from './core/grpc/grpc.options';
import { GrpcLoggingInterceptor } from './core/logging/grpc-logging.interceptor';

/** Boot failed in a way the operator must fix (a port in use, say); the message says which. */
export class BootError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BootError';
  }
}

export interface Endpoints {
  /** e.g. http://127.0.0.1:3000 */
  httpUrl: string;
  /** host:port for a gRPC client */
  grpcAddress: string;
}

/**
 * Builds the hybrid app exactly as production runs it: one Nest app, one HTTP server, the gRPC
 * transport connected with `inheritAppConfig` so the same pipes, filters and interceptors apply.
 * Shared by main.ts and the e2e tests.
 */
export async function createApp(): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorsFilter());
  app.useGlobalInterceptors(app.get(GrpcLoggingInterceptor));
  app.connectMicroservice(grpcServerOptions(app.get(grpcConfig.KEY)), { inheritAppConfig: true });
  return app;
}

/**
 * Binds gRPC, then HTTP. Both or none: if either port cannot be bound, everything is closed and
 * a BootError names the port.
 */
export async function startApp(app: INestApplication): Promise<Endpoints> {
  const grpc = app.get<ReturnType<typeof grpcConfig>>(grpcConfig.KEY);
  const http = app.get<ReturnType<typeof httpConfig>>(httpConfig.KEY);
  try {
    await app.startAllMicroservices();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw new BootError(`gRPC port ${grpc.port} (${grpc.host}) could not be bound: ${describe(error)}`, {
      cause: error,
    });
  }
  try {
    await app.listen(http.port, http.host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw new BootError(`HTTP port ${http.port} (${http.host}) could not be bound: ${describe(error)}`, {
      cause: error,
    });
  }
  const address = (app.getHttpServer() as Server).address() as AddressInfo;
  const httpHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { httpUrl: `http://${httpHost}:${address.port}`, grpcAddress: `${grpc.host}:${grpc.port}` };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
