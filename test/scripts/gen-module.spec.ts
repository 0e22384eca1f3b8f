import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The generator's refusals and spellings, with --dry-run (nothing is written). That generated
 * modules build, lint and pass their tests is proved by `npm run verify:generator` (CI).
 */
const ROOT = join(__dirname, '..', '..');
const gen = (...args: string[]) => {
  const result = spawnSync(process.execPath, ['scripts/gen-module.mjs', ...args, '--dry-run'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: result.status, out: result.stdout + result.stderr };
};

describe('npm run gen:module', () => {
  it('refuses names that are not kebab-case, reserved or would shadow what it imports', () => {
    expect(gen('Bad_Name')).toMatchObject({ code: 1, out: expect.stringMatching(/must be kebab-case/) });
    expect(gen('user')).toMatchObject({ code: 1, out: expect.stringMatching(/reserved/) });
    expect(gen('class')).toMatchObject({ code: 1, out: expect.stringMatching(/reserved/) });
    expect(gen('post')).toMatchObject({ code: 1, out: expect.stringMatching(/clash with Post/) });
  });

  it('derives every spelling from one singular kebab-case name, and writes nothing on a dry run', () => {
    // A name no real module would take, so the test holds after users generate their own.
    const { code, out } = gen('gen-check-item');
    expect(code).toBe(0);
    expect(out).toContain('proto/gen_check_item/v1/gen_check_item.proto');
    expect(out).toContain('src/modules/gen-check-items/gen-check-items.http.controller.ts');
    expect(out).toContain('test/e2e/gen-check-items.e2e.spec.ts');
    expect(out).toMatch(/nothing written/);
    const status = spawnSync('git', ['status', '--porcelain', '--', 'proto', 'src', 'test/e2e'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(status.stdout).not.toMatch(/gen.check/);
  });

  it('takes --plural where the English rule is wrong', () => {
    expect(gen('gen-check-goose', '--plural', 'gen-check-geese').out).toContain(
      'src/modules/gen-check-geese/gen-check-geese.module.ts',
    );
  });
});
