import { Logger } from '@nestjs/common';
import { constants } from 'node:os';
import type { Lifecycle } from './lifecycle';

/** Slack on top of the configured budget before the watchdog gives up on the sequence. */
export const WATCHDOG_SLACK_MS = 2_000;

/**
 * SIGTERM / SIGINT run the shutdown sequence once, then the process exits 0 (1 if the sequence
 * failed). The logger is flushed by the last teardown step, so no line is lost. A second signal exits at once, non-zero; a watchdog exits 1 when the sequence
 * overruns its budget. Nest's enableShutdownHooks() is not used: it re-raises the signal after
 * closing (exit status 143, not 0) and closes HTTP before gRPC instead of in parallel.
 */
export function exitOnSignals(lifecycle: Lifecycle): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`second ${signal} during shutdown: exiting now`);
      process.exit(128 + (constants.signals[signal] ?? 1));
    }
    stopping = true;
    const budgetMs = lifecycle.budgetMs + WATCHDOG_SLACK_MS;
    setTimeout(() => {
      logger.error(`shutdown overran its ${budgetMs}ms budget: exiting 1`);
      process.exit(1);
    }, budgetMs).unref();
    // Exit explicitly once the sequence is done: handlers cut at the deadline may still hold
    // timers or sockets of their own, and must not keep a drained process alive.
    lifecycle.shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(error, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
