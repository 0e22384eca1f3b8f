import { AsyncLocalStorage } from 'node:async_hooks';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';

const storage = new AsyncLocalStorage<Deadline>();

/**
 * The current request's deadline (epoch ms), visible to everything the handler calls, so the
 * database can be told how long a query may run (statement_timeout) and stops when the caller
 * has stopped waiting. Each transport's edge opens one per request (HttpDeadline, AppGrpcServer)
 * and answers 504 / DEADLINE_EXCEEDED when it passes; a @LongRunning() handler lifts it.
 */
export class Deadline {
  private timer: NodeJS.Timeout | undefined;

  private constructor(private at: number | undefined) {}

  /**
   * Runs `work` with a deadline at `at` (epoch ms). When it passes, `passed` is called, unless a
   * @LongRunning() handler has lifted it or `clear()` was called first (the call has ended).
   */
  static run<T>(at: number, passed: () => void, work: (deadline: Deadline) => T): T {
    const deadline = new Deadline(at);
    deadline.timer = setTimeout(
      () => {
        if (deadline.at !== undefined) passed();
      },
      Math.max(0, at - Date.now()),
    );
    return storage.run(deadline, () => work(deadline));
  }

  /** The call has ended: nothing to time any more. */
  clear(): void {
    clearTimeout(this.timer);
  }

  /** Milliseconds left, or undefined outside a request with a deadline (or once it is lifted). */
  static remainingMs(): number | undefined {
    const at = storage.getStore()?.at;
    return at === undefined ? undefined : Math.max(0, at - Date.now());
  }

  /**
   * Lifts the current request's deadline: it lasts as long as its caller keeps reading. Not once
   * it has passed (the caller has had its answer; the late handler's queries fail at once).
   */
  static lift(): void {
    const deadline = storage.getStore();
    if (deadline?.at !== undefined && deadline.at > Date.now()) deadline.at = undefined;
  }

  /** What a caller gets when its deadline passes before its answer, on both transports. */
  static exceeded(): AppError {
    return new AppError(ErrorCode.DEADLINE_EXCEEDED, 'The request did not complete within its deadline');
  }
}

/**
 * Exempts a streaming handler (an export) from REQUEST_TIMEOUT_MS: a stream lasts as long as its
 * reader reads. A gRPC caller's own deadline still ends it (grpc-js cancels the call). The handler
 * lifts its request's deadline when it is called, so the edge that opened it (before routing, where
 * no handler is known yet) neither answers 504 nor bounds the handler's queries.
 */
export const LongRunning = (): MethodDecorator => (_target, _key, descriptor) => {
  const original = descriptor.value as unknown as (...args: unknown[]) => unknown;
  const lifting = function (this: unknown, ...args: unknown[]): unknown {
    Deadline.lift();
    return original.apply(this, args);
  };
  // Decorators below this one have put their metadata (route, OpenAPI) on the original function.
  for (const metadataKey of Reflect.getOwnMetadataKeys(original) as unknown[])
    Reflect.defineMetadata(metadataKey, Reflect.getOwnMetadata(metadataKey, original), lifting);
  Object.defineProperty(lifting, 'name', { value: original.name });
  descriptor.value = lifting as never;
};
