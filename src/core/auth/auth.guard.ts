import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { Metadata } from '@grpc/grpc-js';
import { protectionConfig } from '../config/config';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-codes';
import { Principal, TokenVerifier } from './token-verifier';

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
  private readonly verifier: TokenVerifier;

  constructor(
    private readonly reflector: Reflector,
    @Inject(protectionConfig.KEY) private readonly config: ConfigType<typeof protectionConfig>,
  ) {
    this.verifier = new TokenVerifier(config.auth);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.config.auth.mode === 'none') return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const rpc = context.getType() === 'rpc';
    const header: unknown = rpc
      ? context.getArgByIndex<Metadata>(1).get('authorization')[0]
      : context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers.authorization;
    const token = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
    if (!token) throw new AppError(ErrorCode.UNAUTHENTICATED, 'A bearer token is required');
    const principal = await this.verifier.verify(token);
    if (!principal) throw new AppError(ErrorCode.UNAUTHENTICATED, 'The bearer token is not valid');
    const target = rpc ? context.getArgByIndex<object>(2) : context.switchToHttp().getRequest<object>();
    (target as { principal?: Principal }).principal = principal;
    return true;
  }
}
