import type { IncomingMessage } from 'node:http';

const matchers = new WeakMap<IncomingMessage, () => string | undefined>();

/**
 * Call where the request enters (see http-adapter.ts): how to read, later, the template of the
 * route the framework matched. The metrics label and the trace span name both read it (routeOf),
 * so they always agree.
 */
export function trackRoute(request: IncomingMessage, matched: () => string | undefined): void {
  matchers.set(request, matched);
}

/** The matched route's template (`/users/:id`, never the raw path), or undefined when none matched. */
export function routeOf(request: IncomingMessage): string | undefined {
  return matchers.get(request)?.();
}
