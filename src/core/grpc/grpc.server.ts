import { Metadata, Server as GrpcJsServer, ServerUnaryCall, ServerWritableStream, status } from '@grpc/grpc-js';
import { loadSync, PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { GrpcMethodStreamingType, GrpcOptions, ServerGrpc } from '@nestjs/microservices';
import { HealthImplementation, protoPath as healthProtoPath, ServingStatus } from 'grpc-health-check';
import type { DrainReport } from '../lifecycle/http-drainer';
import { settlesWithin } from '../lifecycle/settle-within';
import { PROTO_LOADER_OPTIONS } from './proto';

type Callback = (error: unknown, value?: unknown) => void;
type Handler = (
  call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>,
  callback?: Callback,
) => Promise<unknown>;

interface TrackedCall {
  kind: 'unary' | 'stream';
  /** Ends the call with UNAVAILABLE so the client can retry or resume on another replica. */
  cut(): void;
}

export interface GrpcServerExtras {
  /** Serve grpc.reflection (v1 and v1alpha) listing every service, health included. */
  reflection: boolean;
  /** Calls whose request metadata is larger are refused with RESOURCE_EXHAUSTED. */
  maxMetadataBytes: number;
}

/** After cutting calls at the deadline, how long their UNAVAILABLE statuses get to reach clients. */
export const CUT_GRACE_MS = 1_000;

/**
 * The calls of server-streaming methods. grpc-js hands unary handlers the same stream class, so
 * the call object alone cannot say which kind of RPC it is (metrics label them).
 */
export const serverStreamCalls = new WeakSet<object>();

const SHUTTING_DOWN = { code: status.UNAVAILABLE, details: 'The server is shutting down; retry on another replica' };

/**
 * Nest's gRPC transport plus what production needs from it: every call in flight is tracked so the
 * drain can wait for it and, at the deadline, end it with UNAVAILABLE and count it; the standard
 * `grpc.health.v1.Health` service follows readiness; server reflection lists all services.
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
    protoNativeHandler: { responseStream?: boolean },
    streamType: GrpcMethodStreamingType,
  ): Handler {
    const handler = super.createServiceMethod(methodHandler, protoNativeHandler, streamType) as Handler;
    const tracked = protoNativeHandler.responseStream ? this.trackStream(handler) : this.trackUnary(handler);
    return (call, callback) => {
      // grpc-js does not enforce grpc.max_metadata_size on servers; this does, for every RPC.
      if (metadataBytes(call.metadata) > this.extras.maxMetadataBytes) {
        const refused = { code: status.RESOURCE_EXHAUSTED, details: 'Request metadata is too large' };
        if (callback) callback(refused);
        else (call as ServerWritableStream<unknown, unknown>).emit('error', refused);
        return Promise.resolve();
      }
      return tracked(call, callback);
    };
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

  private trackUnary(handler: Handler): Handler {
    return (call, callback) => {
      let settled = false;
      const tracked: TrackedCall = {
        kind: 'unary',
        cut: () => finish(SHUTTING_DOWN),
      };
      const finish: Callback = (error, value) => {
        if (settled) return;
        settled = true;
        this.untrack(tracked, value !== undefined);
        callback?.(error, value);
      };
      this.calls.add(tracked);
      call.once('cancelled', () => {
        settled = true;
        this.calls.delete(tracked);
      });
      return handler(call, finish);
    };
  }

  private trackStream(handler: Handler): Handler {
    return async (call, callback) => {
      const stream = call as ServerWritableStream<unknown, unknown>;
      serverStreamCalls.add(stream);
      const tracked: TrackedCall = {
        kind: 'stream',
        cut: () => {
          stream.emit('error', SHUTTING_DOWN);
        },
      };
      this.calls.add(tracked);
      // Tracked until the last message and the status are out: Nest's handler resolves as soon
      // as it has called end(), while a slow reader may still have messages queued.
      stream.once('cancelled', () => this.untrack(tracked, false));
      stream.once('finish', () => this.untrack(tracked, true));
      return handler(call, callback);
    };
  }
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
