import type { Metadata } from '@grpc/grpc-js';
import type { ExecutionContext } from '@nestjs/common';
import { createHash } from 'node:crypto';

export const API_KEY_HEADER = 'x-api-key';

interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
}

/**
 * Who is calling, for per-client limits: the API key when one is sent (hashed, never stored),
 * else the client address: the TCP peer, or with `trustProxyHops` > 0 the address that many
 * proxies back in X-Forwarded-For (so clients cannot spoof it past a trusted proxy).
 */
export function clientIdentity(context: ExecutionContext, trustProxyHops: number): string {
  if (context.getType() === 'rpc') {
    const metadata = context.getArgByIndex<Metadata | undefined>(1);
    const apiKey = metadata?.get(API_KEY_HEADER)[0];
    if (typeof apiKey === 'string' && apiKey) return `key:${hash(apiKey)}`;
    const peer = context.getArgByIndex<{ getPeer?(): string } | undefined>(2)?.getPeer?.() ?? 'unknown';
    return `ip:${peerHost(peer)}`;
  }
  const request = context.switchToHttp().getRequest<HttpRequestLike>();
  const apiKey = request.headers[API_KEY_HEADER];
  if (typeof apiKey === 'string' && apiKey) return `key:${hash(apiKey)}`;
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

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}
