import { Metadata, Server as GrpcJsServer, ServerUnaryCall, ServerWritableStream, status } from '@grpc/grpc-js';
import { loadSync, PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { GrpcMethodStreamingType, GrpcOptions, ServerGrpc } from '@nestjs/microservices';
import { HealthImplementation, protoPath as healthProtoPath, ServingStatus } from 'grpc-health-check';
import { GrpcStatusError, toGrpcError } from '../errors/errors.filter';
import { resolveError } from '../errors/resolve-error';
import type { DrainReport } from '../lifecycle/http-drainer';
import { settlesWithin } from '../lifecycle/settle-within';
import type { GrpcAccessLog, GrpcOutcome } from '../logging/grpc-access-log';
import type { GrpcMethodLabels, GrpcMetrics } from '../metrics/grpc-metrics';
import { Deadline } from '../protection/deadline';
import { PROTO_LOADER_OPTIONS } from './proto';
import { flushResponseHeaders } from './response-headers';

type Callback = (error: unknown, value?: unknown) => void;
type Handler = (
  call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>,
  callback?: Callback,
) => Promise<unknown>;

interface TrackedCall {
  /** Ends the call with UNAVAILABLE so the client can retry or resume on another replica. */
  cut(): void;
}

export interface GrpcServerExtras {
  /** Serve grpc.reflection (v1 and v1alpha) listing every service, health included. */
  reflection: boolean;
  /** Calls whose request metadata is larger are refused with RESOURCE_EXHAUSTED. */
  maxMetadataBytes: number;
  /** REQUEST_TIMEOUT_MS: every call's deadline, or the caller's own when it is sooner. */
  requestTimeoutMs: number;
  metrics: GrpcMetrics;
  accessLog: GrpcAccessLog;
}

/** What the edge keeps of one call: it runs the handler and reports how the call ended. */
interface CallEdge {
  /** Runs the handler with the call's logger and deadline; `onDeadline` when it passes. */
  run<T>(work: () => T, onDeadline: () => void): T;
  /** The call ended, with the error it was answered with, if any. Once; later calls are ignored. */
  end(error?: unknown): void;
}

/** After cutting calls at the deadline, how long their UNAVAILABLE statuses get to reach clients. */
export const CUT_GRACE_MS = 1_000;

const SHUTTING_DOWN = { code: status.UNAVAILABLE, details: 'The server is shutting down; retry on another replica' };
const CANCELLED = { code: status.CANCELLED, details: 'Cancelled by the caller' };
const CALLER_DEADLINE = { code: status.DEADLINE_EXCEEDED, details: "The caller's deadline passed" };

/**
 * Nest's gRPC transport plus what production needs from it.
 * - The request pipeline's edge, for every call before Nest sees it: request id and access line,
 *   metrics, the metadata limit, the deadline (REQUEST_TIMEOUT_MS or the caller's). Here rather
 *   than in a Nest interceptor, which costs every call Nest's interceptor machinery (two
 *   AsyncResource.bind and rxjs), and so that calls refused by a guard are logged and counted too.
 * - Every call in flight is tracked so the drain can wait for it and, at the deadline, end it with
 *   UNAVAILABLE and count it.
 * - The standard `grpc.health.v1.Health` service follows readiness; server reflection lists all
 *   services.
 */
export class AppGrpcServer extends ServerGrpc {
  readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly calls = new Set<TrackedCall>();
  /** Open grpc.health.v1 Watch streams: they never end by themselves, so the drain ends them. */
  private readonly watches = new Set<ServerWritableStream<unknown, unknown>>();
  private completedDuringDrain = 0;
  private draining = false;
  private serviceNames: string[] = [];
  private drained: Promise<DrainReport> | undefined;

  constructor(
    options: GrpcOptions['options'],
    private readonly extras: GrpcServerExtras,
  ) {
    super({
      ...options,
      onLoadPackageDefinition: (definition: PackageDefinition, server: GrpcJsServer) => {
        this.serviceNames = Object.keys(definition).filter((name) => isService(definition[name]));
        this.health.addToServer({
          addService: (service, implementation) =>
            server.addService(service, { ...implementation, watch: this.trackWatch(implementation.watch) }),
        });
        if (extras.reflection) {
          const healthDefinition = loadSync(healthProtoPath, PROTO_LOADER_OPTIONS);
          new ReflectionService({ ...definition, ...healthDefinition }).addToServer(server);
        }
      },
    });
  }

  get inFlightCount(): number {
    return this.calls.size;
  }

  /** `grpc.health.v1` status for the whole server ("") and every service it serves. */
  setServing(serving: boolean): void {
    const value: ServingStatus = serving ? 'SERVING' : 'NOT_SERVING';
    for (const name of ['', ...this.serviceNames]) this.health.setStatus(name, value);
  }

  override createServiceMethod(
    // Nest's own signature uses the bare Function type.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    methodHandler: Function,
    protoNativeHandler: { path?: string; requestStream?: boolean; responseStream?: boolean },
    streamType: GrpcMethodStreamingType,
  ): Handler {
    const handler = super.createServiceMethod(methodHandler, protoNativeHandler, streamType) as Handler;
    const path = protoNativeHandler.path ?? '';
    const [, service = 'unknown', method = 'unknown'] = path.split('/');
    const { requestStream, responseStream } = protoNativeHandler;
    const labels: GrpcMethodLabels = {
      grpc_type: requestStream
        ? responseStream
          ? 'bidi_stream'
          : 'client_stream'
        : responseStream
          ? 'server_stream'
          : 'unary',
      grpc_service: service,
      grpc_method: method,
    };
    // A method with a response stream answers by writing to the call; any other, through a callback.
    return responseStream ? this.serveStream(handler, labels, path) : this.serveUnary(handler, labels, path);
  }

  /**
   * Stops accepting (GOAWAY to every connection) and waits for calls in flight; at the deadline
   * ends the rest with UNAVAILABLE and closes every connection. Idempotent.
   */
  drain(deadlineMs: number): Promise<DrainReport> {
    this.drained ??= this.runDrain(deadlineMs);
    return this.drained;
  }

  /** Nest calls this from app.close(); after a drain there is nothing left to close. */
  override async close(): Promise<void> {
    await this.drain(0);
  }

  private async runDrain(deadlineMs: number): Promise<DrainReport> {
    const server = this.grpcClient as GrpcJsServer | undefined;
    if (!server) return { completed: 0, cut: 0 };
    this.draining = true;
    // Watchers have been told NOT_SERVING already; end their streams so connections can close.
    for (const watch of this.watches) watch.end();
    const finished = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    if (await settlesWithin(finished, deadlineMs)) return { completed: this.completedDuringDrain, cut: 0 };
    const remaining = [...this.calls];
    for (const call of remaining) {
      this.calls.delete(call);
      call.cut();
    }
    // The statuses queue behind messages a slow reader has not taken yet; give them a bounded
    // moment to reach the clients (so they see UNAVAILABLE and resume elsewhere, not a reset).
    await settlesWithin(finished, CUT_GRACE_MS);
    server.forceShutdown();
    return { completed: this.completedDuringDrain, cut: remaining.length };
  }

  private untrack(call: TrackedCall, completed: boolean): void {
    if (this.calls.delete(call) && completed && this.draining) this.completedDuringDrain++;
  }

  private trackWatch(watch: unknown): WatchHandler {
    return (call) => {
      this.watches.add(call);
      const forget = () => this.watches.delete(call);
      call.once('cancelled', forget);
      call.once('finish', forget);
      (watch as WatchHandler)(call);
    };
  }

  /** Opens the edge of a call: request id, access line, metrics, deadline. */
  private open(call: ServerUnaryCall<unknown, unknown>, labels: GrpcMethodLabels, path: string): CallEdge {
    const { metrics, accessLog, requestTimeoutMs } = this.extras;
    const record = metrics.track(labels);
    const logged = accessLog.start(call, path);
    let deadline: Deadline | undefined;
    let ended = false;
    return {
      run: (work, onDeadline) =>
        logged.run(() =>
          // A @LongRunning() handler (a stream) lifts it: then only the caller's own deadline ends it.
          Deadline.run(callDeadline(call, requestTimeoutMs), onDeadline, (opened) => {
            deadline = opened;
            return work();
          }),
        ),
      end: (error) => {
        if (ended) return;
        ended = true;
        deadline?.clear();
        flushResponseHeaders(call);
        const outcome = outcomeOf(error);
        record(outcome.grpcCode);
        logged.done(outcome);
      },
    };
  }

  /** The reason to refuse a call before it runs, if any. */
  private refusal(call: ServerUnaryCall<unknown, unknown>): GrpcStatusError | undefined {
    // grpc-js does not enforce grpc.max_metadata_size on servers; this does, for every RPC.
    if (metadataBytes(call.metadata) <= this.extras.maxMetadataBytes) return undefined;
    return { code: status.RESOURCE_EXHAUSTED, details: 'Request metadata is too large', metadata: new Metadata() };
  }

  private serveUnary(handler: Handler, labels: GrpcMethodLabels, path: string): Handler {
    return (call, callback) => {
      const edge = this.open(call, labels, path);
      let settled = false;
      const tracked: TrackedCall = { cut: () => settle(SHUTTING_DOWN) };
      // The one way a call is answered: by its handler, the deadline, the drain or a refusal.
      const settle: Callback = (error, value) => {
        if (settled) return;
        settled = true;
        this.untrack(tracked, value !== undefined);
        edge.end(error);
        callback?.(error, value);
      };
      this.calls.add(tracked);
      call.once('cancelled', () => {
        if (settled) return;
        settled = true;
        this.calls.delete(tracked);
        edge.end(cancellation(call));
      });
      const refused = this.refusal(call);
      if (refused) {
        settle(refused);
        return Promise.resolve();
      }
      return edge.run(
        () => handler(call, settle),
        () => settle(deadlineExceeded()),
      );
    };
  }

  private serveStream(handler: Handler, labels: GrpcMethodLabels, path: string): Handler {
    return async (call, callback) => {
      const stream = call as ServerWritableStream<unknown, unknown>;
      const edge = this.open(call, labels, path);
      let failure: unknown;
      let writing = false;
      // grpc-js answers with the last error emitted.
      stream.on('error', (error: unknown) => (failure = error));
      // The headers go out once (grpc-js sends them with whatever it has): just before the first
      // message, or before the status of a stream that ends without one ('prefinish' comes
      // synchronously before grpc-js sends the status, on success and on error).
      stream.once('prefinish', () => flushResponseHeaders(stream));
      const write = stream.write.bind(stream);
      stream.write = ((...args: Parameters<typeof write>) => {
        stream.write = write;
        writing = true;
        flushResponseHeaders(stream);
        return write(...args);
      }) as typeof write;
      const tracked: TrackedCall = { cut: () => stream.emit('error', SHUTTING_DOWN) };
      this.calls.add(tracked);
      // Tracked until the last message and the status are out: Nest's handler resolves as soon
      // as it has called end(), while a slow reader may still have messages queued.
      stream.once('cancelled', () => {
        this.untrack(tracked, false);
        edge.end(cancellation(call));
      });
      stream.once('finish', () => {
        this.untrack(tracked, true);
        edge.end(failure);
      });
      const refused = this.refusal(call);
      if (refused) {
        stream.emit('error', refused);
        return;
      }
      return edge.run(
        () => handler(call, callback),
        () => {
          // A stream that has begun is not cut by the deadline (a @LongRunning() one lifts it anyway).
          if (!writing) stream.emit('error', deadlineExceeded());
        },
      );
    };
  }
}

type WithDeadline = { getDeadline(): Date | number };

/** The deadline the caller set (epoch ms), if it set one (grpc-js says Infinity otherwise). */
function callerDeadline(call: WithDeadline): number | undefined {
  const own = call.getDeadline();
  const ms = own instanceof Date ? own.getTime() : Number(own);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** A call's deadline (epoch ms): REQUEST_TIMEOUT_MS, or the caller's own when it is sooner. */
function callDeadline(call: WithDeadline, requestTimeoutMs: number): number {
  return Math.min(Date.now() + requestTimeoutMs, callerDeadline(call) ?? Infinity);
}

/** The status of a call whose deadline passed before its answer (as ErrorsFilter would map it). */
function deadlineExceeded(): GrpcStatusError {
  return toGrpcError(resolveError(Deadline.exceeded()));
}

/**
 * How close to the caller's deadline a cancellation counts as that deadline passing: the caller's
 * clock started before the call reached the server (and grpc-timeout is rounded), so it gives up,
 * and cancels, a little before the deadline the server worked out.
 */
const CALLER_DEADLINE_SLACK_MS = 50;

/** A call grpc-js ended itself: its caller cancelled it, or the caller's own deadline passed. */
function cancellation(call: WithDeadline): { code: status; details: string } {
  const deadline = callerDeadline(call);
  return deadline !== undefined && Date.now() >= deadline - CALLER_DEADLINE_SLACK_MS ? CALLER_DEADLINE : CANCELLED;
}

/** How a call ended, from the status it was answered with (ErrorsFilter's carry the table's code). */
function outcomeOf(error: unknown): GrpcOutcome {
  if (error === undefined || error === null) return { grpcCode: status.OK, code: 'OK', unexpected: false };
  const { code, appCode, unexpected } = error as Partial<GrpcStatusError>;
  const grpcCode: status = typeof code === 'number' ? code : status.UNKNOWN;
  return {
    grpcCode,
    code: appCode ?? status[grpcCode] ?? 'UNKNOWN',
    unexpected: unexpected ?? (grpcCode === status.UNKNOWN || grpcCode === status.INTERNAL),
  };
}

type WatchHandler = (call: ServerWritableStream<unknown, unknown>) => void;

/** Every value of every key (getMap() would see only the first of each, and copy binary ones). */
function metadataBytes(metadata: Metadata): number {
  let total = 0;
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    for (const value of values)
      total += key.length + (Buffer.isBuffer(value) ? value.length : Buffer.byteLength(value));
  }
  return total;
}

function isService(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !('format' in value) && !('type' in value);
}
