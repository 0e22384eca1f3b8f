import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Metadata } from '@grpc/grpc-js';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { Authenticator } from './authenticator';
import type { Principal } from './token-verifier';

const PUBLIC = 'auth:public';

/** Marks a controller or handler as open to anonymous callers (health probes). */
export const Public = () => SetMetadata(PUBLIC, true);

/**
 * Optional authentication for both transports (AUTH_MODE=api-key|jwt; off by default): a bearer
 * token in the `authorization` header or metadata, checked against the configured API keys or
 * verified as a JWT (shared secret, public key or JWKS, with issuer/audience when set).
 * 401 / UNAUTHENTICATED otherwise. The principal is attached to the request / call.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.authenticator.enabled) return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const rpc = context.getType() === 'rpc';
    const authorization: unknown = rpc
      ? context.getArgByIndex<Metadata>(1).get('authorization')[0]
      : context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers.authorization;
    if (!Authenticator.bearer(authorization))
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'A bearer token is required');
    const principal = await this.authenticator.authenticate(authorization);
    if (!principal) throw new AppError(ErrorCode.UNAUTHENTICATED, 'The bearer token is not valid');
    const target = rpc ? context.getArgByIndex<object>(2) : context.switchToHttp().getRequest<object>();
    (target as { principal?: Principal }).principal = principal;
    return true;
  }
}
