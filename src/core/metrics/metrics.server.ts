import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createServer, Server, ServerResponse } from 'node:http';
import { Authenticator } from '../auth/authenticator';
import { httpConfig, protectionConfig } from '../config/config';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../errors/errors.filter';
import { resolveError } from '../errors/resolve-error';
import { TeardownPhase, TeardownRegistry } from '../lifecycle/teardown.registry';
import { MetricsService } from './metrics.service';

/**
 * Renders the scrape, per MANAGEMENT_ACCESS: open, bearer-only, or absent (NOT_FOUND). Shared by
 * the route on the HTTP port and the separate metrics port.
 */
@Injectable()
export class MetricsEndpoint {
  constructor(
    private readonly metrics: MetricsService,
    private readonly authenticator: Authenticator,
    @Inject(protectionConfig.KEY) private readonly config: ConfigType<typeof protectionConfig>,
  ) {}

  get contentType(): string {
    return this.metrics.registry.contentType;
  }

  async render(authorization: unknown): Promise<string> {
    if (this.config.managementAccess === 'hidden') throw new AppError(ErrorCode.NOT_FOUND, 'Cannot GET /metrics');
    if (!(await this.authenticator.mayManage(authorization))) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'A valid bearer token is required for /metrics');
    }
    return this.metrics.registry.metrics();
  }
}

/**
 * With METRICS_PORT set, `/metrics` is served on a port of its own (kept off the public port;
 * scrapers reach it inside the cluster) by a bare node:http server, and no longer on the HTTP
 * port. It stays up through the drain, so a shutdown can be watched, and closes after the database.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap {
  private readonly logger = new Logger('Metrics');

  constructor(
    private readonly endpoint: MetricsEndpoint,
    private readonly teardown: TeardownRegistry,
    @Inject(httpConfig.KEY) private readonly config: ConfigType<typeof httpConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { metricsPort: port, host } = this.config;
    if (port === undefined) return;
    const server = createServer(
      (request, response) => void this.answer(request.method, request.url, request.headers.authorization, response),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: Error) => {
      throw new Error(`metrics port ${port} (${host}) could not be bound: ${error.message}`);
    });
    this.logger.log(`metrics on http://${host}:${port}/metrics`);
    this.teardown.register(TeardownPhase.TELEMETRY, 'metrics server', () => close(server));
  }

  private async answer(
    method: string | undefined,
    url: string | undefined,
    authorization: string | undefined,
    response: ServerResponse,
  ): Promise<void> {
    if ((method !== 'GET' && method !== 'HEAD') || url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    try {
      const body = await this.endpoint.render(authorization);
      response.writeHead(200, { 'content-type': this.endpoint.contentType }).end(method === 'HEAD' ? undefined : body);
    } catch (error) {
      // The same status and body as the route on the HTTP port would give.
      const resolved = resolveError(error);
      if (resolved.unexpected) this.logger.error(error, 'metrics scrape failed');
      response
        .writeHead(resolved.httpStatus, { 'content-type': PROBLEM_CONTENT_TYPE })
        .end(JSON.stringify(toProblem(resolved, undefined)));
    }
  }
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
