import { createParamDecorator, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { protectionConfig } from '../config/config';
import { Principal, TokenVerifier } from './token-verifier';

/** Turns an `authorization` value into a principal, per AUTH_MODE; shared by the guard and probes. */
@Injectable()
export class Authenticator {
  private readonly verifier: TokenVerifier;

  constructor(@Inject(protectionConfig.KEY) private readonly config: ConfigType<typeof protectionConfig>) {
    this.verifier = new TokenVerifier(config.auth);
  }

  get enabled(): boolean {
    return this.config.auth.mode !== 'none';
  }

  /** The bearer token of an `authorization` value, if it is one. */
  static bearer(authorization: unknown): string | undefined {
    return typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
  }

  /**
   * Whether this caller may see the management surface (`/metrics`, the dependency details of
   * `/readyz`), per MANAGEMENT_ACCESS: everyone, authenticated callers, or nobody.
   */
  async mayManage(authorization: unknown): Promise<boolean> {
    switch (this.config.managementAccess) {
      case 'public':
        return true;
      case 'hidden':
        return false;
      case 'authenticated':
        return (await this.authenticate(authorization)) !== undefined;
    }
  }

  /** The principal behind an `authorization` value; undefined when missing, invalid or auth is off. */
  async authenticate(authorization: unknown): Promise<Principal | undefined> {
    const token = Authenticator.bearer(authorization);
    return this.enabled && token ? this.verifier.verify(token) : undefined;
  }
}

/**
 * The HTTP `authorization` header as a handler parameter. Unlike `@Headers('authorization')` it
 * does not show up in the OpenAPI document as a required header; the bearer scheme covers it.
 */
export const AuthorizationHeader = createParamDecorator(
  (_data: unknown, context: ExecutionContext): unknown =>
    context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers.authorization,
);
