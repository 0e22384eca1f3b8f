import { createHash, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, importSPKI, JWTPayload, jwtVerify, KeyLike } from 'jose';
import type { ProtectionConfig } from '../config/config';

export interface Principal {
  /** The JWT subject, or `api-key:<n>` for the n-th configured key. */
  id: string;
  claims?: JWTPayload;
}

type AuthConfig = ProtectionConfig['auth'];
type JwtKey = KeyLike | Uint8Array | ReturnType<typeof createRemoteJWKSet>;

/** Checks a bearer token against the configured API keys or JWT key; undefined when invalid. */
export class TokenVerifier {
  private readonly apiKeyDigests: Buffer[];
  private jwtKey: Promise<JwtKey> | undefined;

  constructor(private readonly config: AuthConfig) {
    this.apiKeyDigests = config.apiKeys.map(digest);
  }

  async verify(token: string): Promise<Principal | undefined> {
    if (this.config.mode === 'api-key') {
      // Compare digests in constant time: no early exit that would time-leak a key's prefix.
      const candidate = digest(token);
      const index = this.apiKeyDigests.findIndex((known) => timingSafeEqual(known, candidate));
      return index >= 0 ? { id: `api-key:${index}` } : undefined;
    }
    try {
      // A key that failed to load (a JWKS endpoint down, say) is tried again on the next request.
      const key = await (this.jwtKey ??= this.loadJwtKey().catch((error: unknown) => {
        this.jwtKey = undefined;
        throw error;
      }));
      const { payload } = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], {
        issuer: this.config.issuer,
        audience: this.config.audience,
      });
      return { id: payload.sub ?? 'unknown', claims: payload };
    } catch {
      return undefined;
    }
  }

  private async loadJwtKey(): Promise<JwtKey> {
    if (this.config.jwksUrl) return createRemoteJWKSet(new URL(this.config.jwksUrl));
    if (this.config.jwtPublicKey) return importSPKI(this.config.jwtPublicKey, 'RS256');
    return new TextEncoder().encode(this.config.jwtSecret);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
