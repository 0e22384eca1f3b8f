import type { ExecutionContext } from '@nestjs/common';
import type { Principal } from '../auth/token-verifier';

interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
  principal?: Principal;
}

/**
 * Who is calling, for per-client limits: the authenticated principal (its API key or JWT subject,
 * verified by AuthGuard, which runs first), else the client address: the TCP peer, or with
 * `trustProxyHops` > 0 the address that many proxies back in X-Forwarded-For. Nothing the client
 * merely asserts (an unverified header) can give it a fresh bucket.
 */
export function clientIdentity(context: ExecutionContext, trustProxyHops: number): string {
  if (context.getType() === 'rpc') {
    const call = context.getArgByIndex<{ getPeer?(): string; principal?: Principal } | undefined>(2);
    if (call?.principal) return `principal:${call.principal.id}`;
    return `ip:${peerHost(call?.getPeer?.() ?? 'unknown')}`;
  }
  const request = context.switchToHttp().getRequest<HttpRequestLike>();
  if (request.principal) return `principal:${request.principal.id}`;
  return `ip:${forwardedClient(request, trustProxyHops) ?? request.socket?.remoteAddress ?? 'unknown'}`;
}

function forwardedClient(request: HttpRequestLike, hops: number): string | undefined {
  if (hops <= 0) return undefined;
  const header = request.headers['x-forwarded-for'];
  const chain = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return chain[chain.length - hops];
}

/** "ipv4:10.0.0.1:5000" or "ipv6:[::1]:5000" -> the address without the port. */
function peerHost(peer: string): string {
  const address = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(address);
  if (bracketed) return bracketed[1]!;
  return address.includes(':') ? address.slice(0, address.lastIndexOf(':')) : address;
}
