import { Global, Module } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { TeardownPhase, TeardownRegistry } from '../lifecycle/teardown.registry';
import { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { logConfig } from '../config/config';
import { traceFields } from '../telemetry/trace-fields';
import { GrpcLoggingInterceptor } from './grpc-logging.interceptor';
import { acceptOrCreateRequestId, REQUEST_ID_HEADER } from './request-id';

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'metadata.authorization',
  'metadata.cookie',
];

@Global()
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [logConfig.KEY],
      useFactory: (config: ConfigType<typeof logConfig>) => ({
        pinoHttp: {
          level: config.level,
          transport: config.pretty
            ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
            : undefined,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          // trace_id / span_id on every line of a traced request (OpenTelemetry, see tracing.ts).
          mixin: traceFields,
          genReqId: (req: IncomingMessage, res: ServerResponse) => {
            const id = acceptOrCreateRequestId(req.headers[REQUEST_ID_HEADER]);
            res.setHeader(REQUEST_ID_HEADER, id);
            return id;
          },
          // Every line of a request, access line included, carries its id as `requestId`.
          quietReqLogger: true,
          customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
          customLogLevel: (_req, res, err) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          customSuccessMessage: (req, res, responseTime) =>
            `${req.method} ${req.url} ${res.statusCode} ${Math.round(responseTime)}ms`,
          customErrorMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
          // pino-http invents an Error for every 5xx; the real one is logged by ErrorsFilter.
          customErrorObject: (_req, _res, _error, line: Record<string, unknown>) => ({ ...line, err: undefined }),
          serializers: {
            req: (req: { method: string; url: string; headers: Record<string, unknown> }) => ({
              method: req.method,
              url: req.url,
              headers: req.headers,
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
        },
      }),
    }),
  ],
  providers: [GrpcLoggingInterceptor],
  exports: [GrpcLoggingInterceptor],
})
export class LoggingModule {
  constructor(teardown: TeardownRegistry, logger: PinoLogger) {
    // Last step of the teardown, so every line written before it reaches its destination.
    teardown.register(
      TeardownPhase.LOGGER,
      'logger',
      () => new Promise<void>((resolve) => logger.logger.flush(() => resolve())),
    );
  }
}
