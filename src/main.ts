import { Logger } from '@nestjs/common';
import { createApp, startApp } from './app.factory';
import { exitOnSignals } from './core/lifecycle/signals';

async function main(): Promise<void> {
  const running = await startApp(await createApp());
  exitOnSignals(running.lifecycle);
  new Logger('Bootstrap').log(`ready: HTTP ${running.httpUrl}, gRPC ${running.grpcAddress}`);
}

main().catch((error: unknown) => {
  // Config errors list every bad key; bind errors name the port. Either way: exit 1, never half-up.
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
