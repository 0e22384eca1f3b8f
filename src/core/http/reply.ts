/** The minimum of an HTTP reply the edges touch; Express and Fastify replies both have it. */
export interface HttpReply {
  /** Express / Node */
  headersSent?: boolean;
  /** Fastify */
  sent?: boolean;
  status(code: number): HttpReply;
  setHeader?(name: string, value: string): unknown;
  header?(name: string, value: string): unknown;
  send(body: string): unknown;
  end?(): unknown;
  /** Fastify: the Node response underneath. */
  raw?: { destroy(): unknown };
}

/** Ends a response that has already started and cannot carry an error status any more. */
export function abortReply(reply: HttpReply): void {
  if (reply.raw) reply.raw.destroy();
  else reply.end?.();
}

/** Sets a response header on whichever adapter's reply this is. */
export function setReplyHeader(reply: HttpReply, name: string, value: string): void {
  if (typeof reply.header === 'function') reply.header(name, value);
  else reply.setHeader?.(name, value);
}

/** True once the response has started (nothing more can be said about its status). */
export function replyStarted(reply: HttpReply): boolean {
  return reply.headersSent === true || reply.sent === true;
}

const answeredEarly = new WeakSet<object>();

/** Marks a response the edge answered itself (HttpDeadline's 504): the handler's late answer is dropped. */
export function markAnsweredEarly(response: object): void {
  answeredEarly.add(response);
}

/** True when the edge has answered this response before its handler did. */
export function wasAnsweredEarly(reply: HttpReply): boolean {
  return answeredEarly.has(reply.raw ?? reply);
}
