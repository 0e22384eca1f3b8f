import type { ServerWritableStream } from '@grpc/grpc-js';
import { Observable } from 'rxjs';

/**
 * Writes `source` (or what it resolves to) to a server-streaming call with flow control: after each write the grpc call
 * reports whether its buffer is full, and the next item is pulled from `source` only once it has
 * drained, so a slow client holds back the producer (down to the database) instead of filling
 * memory. Stops quietly when the call is cancelled or ended (a shutdown cut, for instance); the
 * returned Observable only tells Nest when the stream is done or failed.
 */
export function streamToCall<T, M>(
  call: ServerWritableStream<unknown, M> | undefined,
  source: AsyncIterable<T> | Promise<AsyncIterable<T>>,
  toMessage: (item: T) => M,
): Observable<M> {
  return new Observable<M>((subscriber) => {
    const pump = async () => {
      if (!call) throw new Error('a server stream needs its call (use @GrpcCall())');
      const items = await source;
      for await (const item of items) {
        if (call.cancelled || call.writableEnded) return;
        if (!call.write(toMessage(item))) await writable(call);
      }
    };
    pump().then(
      () => subscriber.complete(),
      (error: unknown) => subscriber.error(error),
    );
  });
}

/** Resolves on 'drain', or when the call closes or fails; never rejects. */
function writable(call: ServerWritableStream<unknown, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      call.off('close', done);
      call.off('error', done);
      resolve();
    };
    call.on('drain', done);
    call.on('close', done);
    call.on('error', done);
  });
}
