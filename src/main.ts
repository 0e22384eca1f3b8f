import { Logger } from '@nestjs/common';
import { createApp, startApp } from './app.factory';

async function main(): Promise<void> {
  const app = await createApp();
  const { httpUrl, grpcAddress } = await startApp(app);
  new Logger('Bootstrap').log(`ready: HTTP ${httpUrl}, gRPC ${grpcAddress}`);
}

main().catch((error: unknown) => {
  // Config errors list every bad key; bind errors name the port. Either way: exit 1, never half-up.
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
