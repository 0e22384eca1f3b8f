import type { INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpConfig } from '../config/config';
import { acceptOrCreateRequestId, REQUEST_ID_HEADER } from '../logging/request-id';

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
    // Fastify names requests before any middleware runs, and pino-http then reuses that id:
    // make it the caller's x-request-id (when sane) or a UUID, as on Express.
    requestIdHeader: false,
    genReqId: (request: { headers: IncomingHttpHeaders }) =>
      acceptOrCreateRequestId(request.headers[REQUEST_ID_HEADER]),
  });
}

/** Whether Nest should register its default body parsers (Express gets ours, with our limit). */
export function usesNestBodyParser(name: HttpAdapterName): boolean {
  return name === 'fastify';
}

/** Security headers, body parsing and CORS, the same on both adapters. */
export async function configureHttpAdapter(app: INestApplication, name: HttpAdapterName, config: HttpConfig) {
  if (name === 'fastify') {
    const fastify = app as NestFastifyApplication;
    const { default: fastifyHelmet } = await import('@fastify/helmet');
    await fastify.register(fastifyHelmet);
    fastify
      .getHttpAdapter()
      .getInstance()
      .addHook('onRequest', (request, reply, done) => {
        void reply.header(REQUEST_ID_HEADER, request.id);
        done();
      });
  } else {
    const express = app as NestExpressApplication;
    express.disable('x-powered-by');
    express.use(helmet());
    // Bodies over the limit answer 413 problem+json (ErrorsFilter maps the parser's error).
    express.useBodyParser('json', { limit: config.bodyLimitBytes });
  }
  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins.includes('*') ? true : config.corsOrigins, maxAge: 600 });
  }
}
