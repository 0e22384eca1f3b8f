import { Store } from 'nestjs-pino/storage';
import type { Bindings, Logger } from 'pino';

/**
 * A nestjs-pino store whose child logger (the request's bindings: its id, ...) is created the
 * first time something logs. Most requests log nothing but their access line, written from the
 * root logger with the same fields, so most never pay for a pino child.
 */
export function lazyLogStore(root: Logger, bindings: Bindings): Store {
  let logger: Logger | undefined;
  return {
    get logger(): Logger {
      return (logger ??= root.child(bindings));
    },
    set logger(value: Logger) {
      logger = value;
    },
    responseLogger: undefined,
  };
}
