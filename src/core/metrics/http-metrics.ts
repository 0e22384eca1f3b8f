import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { routeOf } from '../http/route';
import { MetricsService } from './metrics.service';

/** The route label of requests no route matched (unknown paths, a CORS preflight, a rejected body). */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * HTTP request metrics, taken where the request enters the server (see http-adapter.ts) rather
 * than in Nest's pipeline, so every response is counted with the status it really had: requests
 * refused by the auth guard, unknown routes, bodies the parser rejects, statuses a handler sets
 * itself. The route label is the matched route's template (`/users/:id`), never the raw path.
 */
@Injectable()
export class HttpMetrics {
  constructor(private readonly metrics: MetricsService) {}

  /**
   * Call when the request enters: counted as in flight until its response closes. Its route is
   * read then (routeOf), once the router has matched (or not).
   */
  track(request: IncomingMessage, response: ServerResponse): void {
    const started = performance.now();
    this.metrics.httpInFlight.inc();
    response.once('close', () => {
      this.metrics.httpInFlight.dec();
      // A response that never finished was cut (client gone, drain deadline): nginx's 499.
      const status = response.writableFinished ? String(response.statusCode) : '499';
      this.metrics.httpDuration.observe(
        { method: request.method, route: routeOf(request) ?? UNMATCHED_ROUTE, status },
        (performance.now() - started) / 1e3,
      );
    });
  }
}
