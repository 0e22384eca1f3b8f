import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseEnv } from '../../src/core/config/env.schema';
import { CUT_GRACE_MS } from '../../src/core/grpc/grpc.server';
import { WATCHDOG_SLACK_MS } from '../../src/core/lifecycle/signals';

/** The deployment files must agree with the config defaults and the shutdown budget. */

const root = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const defaults = parseEnv({});

interface Container {
  env: { name: string; value?: string }[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  startupProbe?: { grpc?: { port: number; service?: string } };
}
const deployment = parseAllDocuments(read('deploy/k8s/deployment.yaml'))[0]!.toJS() as {
  spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: Container[] } } };
};
const pod = deployment.spec.template.spec;
const container = pod.containers[0]!;
const env = (name: string, fallback: number) => Number(container.env.find((e) => e.name === name)?.value ?? fallback);

const delay = env('SHUTDOWN_DELAY_MS', defaults.SHUTDOWN_DELAY_MS);
const drain = env('SHUTDOWN_TIMEOUT_MS', defaults.SHUTDOWN_TIMEOUT_MS);
const teardown = env('SHUTDOWN_TEARDOWN_TIMEOUT_MS', defaults.SHUTDOWN_TEARDOWN_TIMEOUT_MS);
const budgetMs = delay + drain + CUT_GRACE_MS + teardown + WATCHDOG_SLACK_MS;

describe('Kubernetes manifests', () => {
  it('use the config defaults for the shutdown timings', () => {
    expect([delay, drain, teardown]).toEqual([
      defaults.SHUTDOWN_DELAY_MS,
      defaults.SHUTDOWN_TIMEOUT_MS,
      defaults.SHUTDOWN_TEARDOWN_TIMEOUT_MS,
    ]);
  });

  it('give the pod more time to stop than the service watchdog allows itself', () => {
    const graceMs = pod.terminationGracePeriodSeconds * 1000;
    expect(graceMs).toBeGreaterThan(budgetMs);
    // ...and the arithmetic written beside it names the same total.
    expect(read('deploy/k8s/deployment.yaml')).toContain(`= ${budgetMs} ms = ${budgetMs / 1000} s`);
  });

  it('probe liveness on /healthz, readiness on /readyz, startup over gRPC health', () => {
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.startupProbe?.grpc?.port).toBe(defaults.GRPC_PORT);
  });

  it('expose both default ports, in the pod and the Service', () => {
    const ports = Object.fromEntries(container.ports.map((p) => [p.name, p.containerPort]));
    expect(ports).toEqual({ http: defaults.HTTP_PORT, grpc: defaults.GRPC_PORT });
    const service = parseAllDocuments(read('deploy/k8s/service.yaml'))[0]!.toJS() as {
      spec: { ports: { name: string; port: number }[] };
    };
    expect(Object.fromEntries(service.spec.ports.map((p) => [p.name, p.port]))).toEqual(ports);
  });
});

describe('systemd unit and Dockerfile', () => {
  it('stop within the same budget as the pod', () => {
    const unit = read('deploy/systemd/nest-hybrid-service.service');
    expect(Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1])).toBe(pod.terminationGracePeriodSeconds);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node dist\/main\.js$/m);
  });

  it('run node directly as a non-root user, so it receives the signals', () => {
    const dockerfile = read('deploy/Dockerfile');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(dockerfile).not.toMatch(/^CMD .*npm/m);
  });
});
