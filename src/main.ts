import { loadEnv } from './core/config/env.loader';
import { startTracing } from './core/telemetry/tracing';

async function main(): Promise<void> {
  // Tracing first: it instruments http, @grpc/grpc-js, pg and ioredis as the app loads them.
  const env = loadEnv();
  const tracing = await startTracing(env);
  const { Logger } = await import('@nestjs/common');
  const { createApp, startApp } = await import('./app.factory');
  const { exitOnSignals } = await import('./core/lifecycle/signals');
  const { TeardownPhase, TeardownRegistry } = await import('./core/lifecycle/teardown.registry');
  const running = await startApp(await createApp(env));
  if (tracing) {
    running.app.get(TeardownRegistry).register(TeardownPhase.TELEMETRY, 'tracing', () => tracing.shutdown());
  }
  exitOnSignals(running.lifecycle);
  new Logger('Bootstrap').log(
    `ready: HTTP ${running.httpUrl}, gRPC ${running.grpcAddress}${tracing ? ', tracing on' : ''}`,
  );
}

main().catch((error: unknown) => {
  // Config errors list every bad key; bind errors name the port. Either way: exit 1, never half-up.
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
