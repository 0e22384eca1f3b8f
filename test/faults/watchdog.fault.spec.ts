import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpRequest } from '../support/http';
import { createTestDatabase, lockUsersTable, loopbackPorts } from '../support/infra';
import { isReadyLine, spawnService, stopService } from '../support/service-process';

/**
 * A query stuck on a lock outlives the drain (its HTTP request is cut, the query is not), so the
 * pool cannot close: the watchdog must end the process, non-zero, instead of hanging forever.
 */
it('exits non-zero when the shutdown sequence overruns its budget', async () => {
  const database = await createTestDatabase();
  let lock: Awaited<ReturnType<typeof lockUsersTable>> | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'svc-watchdog-'));
  const ports = await loopbackPorts();
  const service = spawnService({
    ...ports,
    DATABASE_URL: database.url,
    DATABASE_MIGRATE_ON_START: 'true',
    PGLITE_DATA_DIR: dir,
    SHUTDOWN_DELAY_MS: '0',
    SHUTDOWN_TIMEOUT_MS: '500',
    SHUTDOWN_TEARDOWN_TIMEOUT_MS: '500',
  });
  try {
    await service.waitForLog(isReadyLine);
    lock = await lockUsersTable(database.url);
    const stuck = httpRequest(`http://127.0.0.1:${ports.HTTP_PORT}/users`).catch(() => 'cut');
    await new Promise((resolve) => setTimeout(resolve, 300));
    service.child.kill('SIGTERM');

    expect(await stuck).toBe('cut');
    const exit = await service.exited;
    expect(exit.code).toBe(1);
    expect(service.logs().some((l) => typeof l.msg === 'string' && l.msg.includes('overran'))).toBe(true);
    expect(service.logs().some((l) => typeof l.msg === 'string' && l.msg.includes('shutdown complete'))).toBe(false);
  } finally {
    await stopService(service, 'SIGKILL');
    await lock?.release();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
