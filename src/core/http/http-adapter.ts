import type { INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { HttpConfig } from '../config/config';
import { Problem, PROBLEM_CONTENT_TYPE } from '../errors/errors.filter';
import type { HttpAccessLog } from '../logging/http-access-log';
import type { HttpMetrics } from '../metrics/http-metrics';
import type { HttpDeadline } from '../protection/http-deadline';
import { acceptOrCreateRequestId, REQUEST_ID_HEADER } from '../logging/request-id';
import { trackRoute } from './route';

export type HttpAdapterName = 'express' | 'fastify';

/**
 * The one place that knows which HTTP framework sits under Nest (HTTP_ADAPTER). Everything else
 * (controllers, filters, interceptors, the drain) only uses what both have in common, so the
 * same pipeline runs on either.
 */
export function createHttpAdapter(
  name: HttpAdapterName,
  config: Pick<HttpConfig, 'bodyLimitBytes'>,
): AbstractHttpAdapter {
  if (name === 'express') return new ExpressAdapter();
  return new FastifyAdapter({
    // Fastify applies the body limit in its own JSON parser (413 when exceeded).
    bodyLimit: config.bodyLimitBytes,
    // Fastify names requests before any hook runs: make it the caller's x-request-id (when sane)
    // or a UUID, as on Express; the access log and the error bodies use it.
    requestIdHeader: false,
    genReqId: (request: { headers: IncomingHttpHeaders }) =>
      acceptOrCreateRequestId(request.headers[REQUEST_ID_HEADER]),
  });
}

/**
 * helmet's default headers, worked out once: they depend on no request, and both helmet's
 * middleware and @fastify/helmet (which rebuilt helmet's middleware for every request) cost far
 * more per request than setting a fixed list.
 */
export function helmetHeaders(): [string, string][] {
  const headers: [string, string][] = [];
  const collector = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let done = false;
  helmet()({} as IncomingMessage, collector as unknown as ServerResponse, () => (done = true));
  if (!done) throw new Error('helmet did not complete synchronously');
  return headers;
}

function setHeaders(response: ServerResponse, headers: [string, string][]): void {
  for (const [name, value] of headers) response.setHeader(name, value);
}

/** Whether Nest should register its default body parsers (Express gets ours, with our limit). */
export function usesNestBodyParser(name: HttpAdapterName): boolean {
  return name === 'fastify';
}

/** What the edge does for every request, whichever adapter calls it. */
export interface HttpEdge {
  accessLog: HttpAccessLog;
  metrics: HttpMetrics;
  deadline: HttpDeadline;
}

/**
 * The request pipeline of HTTP, the same on both adapters, at the edge rather than in Nest
 * interceptors (which cost every request Nest's interceptor machinery): security headers, request
 * id, access line, metrics, body parsing, CORS, deadline; then Nest's guards (auth, rate limit),
 * pipes (validation) and the handler.
 */
export function configureHttpAdapter(app: INestApplication, name: HttpAdapterName, config: HttpConfig, edge: HttpEdge) {
  const { accessLog, metrics, deadline } = edge;
  const securityHeaders = helmetHeaders();
  const problemType = `${PROBLEM_CONTENT_TYPE}; charset=utf-8`;
  // One hook where every request enters, before anything can answer it (CORS preflights, body
  // parsers, unknown routes): it is counted, gets its id and its access line whatever answers. The
  // route template is read when the response closes, from the route the framework matched. The
  // request's logger store and deadline are entered later, once the body is read, where the
  // handler follows.
  if (name === 'fastify') {
    const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
    fastify.addHook('onRequest', (request, reply, done) => {
      trackRoute(request.raw, () => request.routeOptions.url);
      metrics.track(request.raw, reply.raw);
      setHeaders(reply.raw, securityHeaders);
      // On the Node response, so that whatever answers carries it.
      reply.raw.setHeader(REQUEST_ID_HEADER, request.id);
      accessLog.track(request.raw, reply.raw, request.id);
      done();
    });
    fastify.addHook('preHandler', (request, reply, done) =>
      accessLog.run(request.id, () =>
        deadline.run(
          reply.raw,
          request.id,
          (problem: Problem) =>
            void reply.code(problem.status).header('content-type', problemType).send(JSON.stringify(problem)),
          done,
        ),
      ),
    );
  } else {
    const express = app as NestExpressApplication;
    express.disable('x-powered-by');
    express.use(
      (
        request: IncomingMessage & { id?: string; route?: { path: string }; baseUrl?: string },
        response: ServerResponse,
        next: () => void,
      ) => {
        trackRoute(request, () => (request.route ? `${request.baseUrl ?? ''}${request.route.path}` : undefined));
        metrics.track(request, response);
        setHeaders(response, securityHeaders);
        const requestId = acceptOrCreateRequestId(request.headers[REQUEST_ID_HEADER]);
        request.id = requestId;
        response.setHeader(REQUEST_ID_HEADER, requestId);
        accessLog.track(request, response, requestId);
        next();
      },
    );
    // Bodies over the limit answer 413 problem+json (ErrorsFilter maps the parser's error).
    express.useBodyParser('json', { limit: config.bodyLimitBytes });
    // After the body parser, which reads the body asynchronously.
    const answer = (response: ServerResponse) => (problem: Problem) => {
      response.statusCode = problem.status;
      response.setHeader('content-type', problemType);
      response.end(JSON.stringify(problem));
    };
    express.use((request: IncomingMessage & { id: string }, response: ServerResponse, next: () => void) =>
      accessLog.run(request.id, () => deadline.run(response, request.id, answer(response), next)),
    );
  }
  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins.includes('*') ? true : config.corsOrigins, maxAge: 600 });
  }
}
