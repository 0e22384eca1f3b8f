import { Metadata } from '@grpc/grpc-js';

/** The part of a grpc-js server call that sends response headers. */
export interface HeaderSink {
  sendMetadata(metadata: Metadata): void;
}

const pending = new WeakMap<HeaderSink, { metadata: Metadata; sent: boolean }>();

function entry(call: HeaderSink) {
  let found = pending.get(call);
  if (!found) {
    found = { metadata: new Metadata(), sent: false };
    pending.set(call, found);
  }
  return found;
}

/**
 * Response headers of a gRPC call, gathered from every enhancer (request id, idempotent replay,
 * ...) and sent once, just before the first response message or the status. grpc-js sends
 * headers only once per call, so nobody may send them early on their own.
 */
export function setResponseHeader(call: HeaderSink, key: string, value: string): void {
  entry(call).metadata.set(key, value);
}

export function flushResponseHeaders(call: HeaderSink): void {
  const found = entry(call);
  if (found.sent) return;
  found.sent = true;
  call.sendMetadata(found.metadata);
}
