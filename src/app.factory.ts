import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import {
  grpcConfig,
  GrpcConfig,
  httpConfig,
  HttpConfig,
  lifecycleConfig,
  LifecycleConfig,
  protectionConfig,
  ProtectionConfig,
} from './core/config/config';
import { AuthGuard } from './core/auth/auth.guard';
import { Authenticator } from './core/auth/authenticator';
import { loadEnv } from './core/config/env.loader';
import type { Env } from './core/config/env.schema';
import { ErrorsFilter } from './core/errors/errors.filter';
import { configureHttpAdapter, createHttpAdapter, usesNestBodyParser } from './core/http/http-adapter';
import { createValidationPipe } from './core/errors/validation.pipe';
import { setupOpenApi } from './core/openapi/openapi';
import { grpcServerOptions } from './core/grpc/grpc.options';
import { AppGrpcServer } from './core/grpc/grpc.server';
import { DebugDelayInterceptor } from './core/lifecycle/debug-delay.interceptor';
import { HttpDrainer } from './core/lifecycle/http-drainer';
import { Lifecycle } from './core/lifecycle/lifecycle';
import { ReadinessService } from './core/lifecycle/readiness.service';
import { GrpcAccessLog } from './core/logging/grpc-access-log';
import { HttpAccessLog } from './core/logging/http-access-log';
import { GrpcMetrics } from './core/metrics/grpc-metrics';
import { HttpMetrics } from './core/metrics/http-metrics';
import { HttpDeadline } from './core/protection/http-deadline';
import { RateLimitGuard } from './core/protection/rate-limit.guard';

/** Boot failed in a way the operator must fix (a port in use, say); the message says which. */
export class BootError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BootError';
  }
}

/** A hybrid app built by createApp, not started yet. */
export interface HybridApp {
  app: INestApplication;
  grpc: AppGrpcServer;
}

export interface RunningApp extends HybridApp {
  /** e.g. http://127.0.0.1:3000 */
  httpUrl: string;
  /** host:port for a gRPC client */
  grpcAddress: string;
  lifecycle: Lifecycle;
}

/**
 * Builds the hybrid app exactly as production runs it: one Nest app, one HTTP server, the gRPC
 * transport connected with `inheritAppConfig` so the same guards, pipes and filters apply. Each
 * transport's edge (http-adapter.ts, AppGrpcServer) does the rest of the request pipeline.
 * Shared by main.ts and the e2e tests.
 */
export async function createApp(env: Env = loadEnv()): Promise<HybridApp> {
  // The adapter must exist before the app: read (and validate) the environment once up front.
  const adapterName = env.HTTP_ADAPTER;
  const app = await NestFactory.create(
    AppModule.forRoot(),
    createHttpAdapter(adapterName, { bodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES }),
    { bufferLogs: true, abortOnError: false, bodyParser: usesNestBodyParser(adapterName) },
  );
  app.useLogger(app.get(Logger));
  const http = app.get<HttpConfig>(httpConfig.KEY);
  // HTTP: security headers, request id, access line, metrics, body limit, CORS and deadline at the
  // adapter's edge; then the guards below, validation and the handler.
  configureHttpAdapter(app, adapterName, http, {
    accessLog: app.get(HttpAccessLog),
    metrics: app.get(HttpMetrics),
    deadline: app.get(HttpDeadline),
  });
  setupOpenApi(app, http.openapi);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorsFilter());
  // Authentication, then the rate limit (keyed by who the caller is), each installed only when on:
  // a guard that admits everything still costs every request Nest's guard pass.
  app.useGlobalGuards(
    ...(app.get(Authenticator).enabled ? [app.get(AuthGuard)] : []),
    ...(app.get(RateLimitGuard).enabled ? [app.get(RateLimitGuard)] : []),
  );
  if (app.get<LifecycleConfig>(lifecycleConfig.KEY).debugDelay) app.useGlobalInterceptors(new DebugDelayInterceptor());

  // gRPC: request id, access line, metrics, metadata limit and deadline at AppGrpcServer's edge;
  // then the same guards, validation and error mapping as HTTP.
  const config = app.get<GrpcConfig>(grpcConfig.KEY);
  const grpc = new AppGrpcServer(grpcServerOptions(config).options, {
    reflection: config.reflection,
    maxMetadataBytes: config.maxMetadataBytes,
    requestTimeoutMs: app.get<ProtectionConfig>(protectionConfig.KEY).requestTimeoutMs,
    metrics: app.get(GrpcMetrics),
    accessLog: app.get(GrpcAccessLog),
  });
  // The same guards, pipe, filter (and test-only delay) as HTTP: registered above, before connecting.
  app.connectMicroservice({ strategy: grpc }, { inheritAppConfig: true });
  return { app, grpc };
}

/**
 * Initializes the app (lifecycle hooks: the boot migration, the first readiness probe), then
 * binds gRPC, then HTTP. Both or none: if either port cannot be bound, everything is closed and
 * a BootError names the port. Shutdown is then the Lifecycle's (see lifecycle.ts).
 */
export async function startApp({ app, grpc }: HybridApp): Promise<RunningApp> {
  const grpcSettings = app.get<GrpcConfig>(grpcConfig.KEY);
  const http = app.get<HttpConfig>(httpConfig.KEY);
  // Before any listener: gRPC would otherwise take calls before the boot hooks have run.
  try {
    await app.init();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw new BootError(`initialization failed: ${describe(error)}`, { cause: error });
  }
  try {
    await app.startAllMicroservices();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw new BootError(
      `gRPC port ${grpcSettings.port} (${grpcSettings.host}) could not be bound: ${describe(error)}`,
      {
        cause: error,
      },
    );
  }
  const server = app.getHttpServer() as HttpServer;
  const drainer = new HttpDrainer(server);
  try {
    await app.listen(http.port, http.host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw new BootError(`HTTP port ${http.port} (${http.host}) could not be bound: ${describe(error)}`, {
      cause: error,
    });
  }
  app.get(ReadinessService).subscribe((ready) => grpc.setServing(ready));
  const address = server.address() as AddressInfo;
  const httpHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    app,
    grpc,
    httpUrl: `http://${httpHost}:${address.port}`,
    grpcAddress: `${grpcSettings.host}:${grpcSettings.port}`,
    lifecycle: new Lifecycle(app, drainer, grpc, app.get<LifecycleConfig>(lifecycleConfig.KEY)),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
