import { Global, Module } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { TeardownPhase, TeardownRegistry } from '../lifecycle/teardown.registry';
import { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { logConfig } from '../config/config';
import { traceFields } from '../telemetry/trace-fields';
import { GrpcAccessLog } from './grpc-access-log';
import { HttpAccessLog } from './http-access-log';

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
        // The root logger only: request ids and access lines are HttpAccessLog's, wired into both
        // adapters by http-adapter.ts, so nestjs-pino registers no middleware.
        useExisting: true,
        forRoutes: [],
        pinoHttp: {
          level: config.level,
          transport: config.pretty
            ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
            : undefined,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          // trace_id / span_id on every line of a traced request (OpenTelemetry, see tracing.ts).
          mixin: traceFields,
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
  providers: [GrpcAccessLog, HttpAccessLog],
  exports: [GrpcAccessLog, HttpAccessLog],
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
