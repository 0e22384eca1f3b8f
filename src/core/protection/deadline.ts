import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<number>();

/**
 * The current request's deadline (epoch ms), visible to everything the handler calls, so the
 * database can be told how long a query may run (statement_timeout) and stops when the caller
 * has stopped waiting.
 */
export const Deadline = {
  run<T>(deadline: number, work: () => T): T {
    return storage.run(deadline, work);
  },
  /** Milliseconds left, or undefined outside a request with a deadline. */
  remainingMs(): number | undefined {
    const deadline = storage.getStore();
    return deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
  },
};
