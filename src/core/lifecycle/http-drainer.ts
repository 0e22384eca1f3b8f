import type { Server, ServerResponse } from 'node:http';
import { settlesWithin } from './settle-within';

export interface DrainReport {
  /** Requests or calls in flight when the drain began, or arriving on open connections since. */
  completed: number;
  /** Requests or calls still in flight at the deadline, cut. */
  cut: number;
}

/**
 * Drains the Node HTTP server under whichever adapter (Express, Fastify) sits on it. Node's own
 * `server.close()` stops accepting but keeps answering on busy keep-alive sockets without
 * `Connection: close`; this marks every response sent during the drain `Connection: close`,
 * closes each socket as soon as it is idle, and cuts what remains at the deadline.
 */
export class HttpDrainer {
  private readonly inFlight = new Set<ServerResponse>();
  private closingConnections = false;
  private draining = false;
  private completedDuringDrain = 0;

  constructor(private readonly server: Server) {
    // The first listener, so the header is set before the framework starts answering.
    server.prependListener('request', (_request, response: ServerResponse) => this.track(response));
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * From now on every response says `Connection: close` (requests are still served). Called when
   * readiness turns false, so by the time the listener closes keep-alive clients have already
   * moved their connections elsewhere and no request races an idle socket being closed.
   */
  closeConnectionsAfterResponses(): void {
    this.closingConnections = true;
    for (const response of this.inFlight) markClose(response);
  }

  async drain(deadlineMs: number): Promise<DrainReport> {
    this.closeConnectionsAfterResponses();
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    if (await settlesWithin(closed, deadlineMs)) return { completed: this.completedDuringDrain, cut: 0 };
    const cut = this.inFlight.size;
    this.server.closeAllConnections();
    await closed;
    return { completed: this.completedDuringDrain, cut };
  }

  private track(response: ServerResponse): void {
    this.inFlight.add(response);
    if (this.closingConnections) markClose(response);
    response.once('close', () => {
      if (!this.inFlight.delete(response) || !this.draining) return;
      if (response.writableFinished) this.completedDuringDrain++;
      // The socket of a response that finished during the drain may be idle now: close it.
      this.server.closeIdleConnections();
    });
  }
}

function markClose(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
}
