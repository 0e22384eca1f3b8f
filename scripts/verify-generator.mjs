#!/usr/bin/env node
/*
 * `npm run verify:generator [-- --with-services] [-- --keep]`: proves that `npm run gen:module`
 * makes modules that pass `npm run check` without a single edit and whose tests pass on both
 * HTTP adapters. In a throwaway clone of this repository's HEAD (node_modules linked, not
 * installed) it generates `widget` and `stock-item` (a hyphenated name exercises every spelling),
 * commits them, runs `npm run check` and `npm run build`, then the generated unit and e2e specs
 * (and the OpenAPI spec, which fails when docs/openapi.json is stale) with vitest's JSON reporter
 * on Express and on Fastify (embedded PGlite and cache), and asserts on the report: every test
 * passed, none failed or was skipped, and the expected tests ran.
 *
 *   --with-services  one more pass on real Postgres and Redis (DATABASE_URL / REDIS_URL, or the
 *                    machine's 127.0.0.1:5432/test and 127.0.0.1:6379)
 *   --keep           keep the throwaway clone and print where it is
 *
 * Uncommitted changes are not part of the run: it tests what is committed.
 */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const args = new Set(process.argv.slice(2));
const KEEP = args.has('--keep');
const WITH_SERVICES = args.has('--with-services');

/** The modules to generate, with the spellings their test names use. */
const MODULES = [
  { name: 'widget', Names: 'Widgets', kebabs: 'widgets', text: 'widget', texts: 'widgets' },
  { name: 'stock-item', Names: 'StockItems', kebabs: 'stock-items', text: 'stock item', texts: 'stock items' },
];

/** Tests every generated module must have run and passed, by full name (describe > it). */
function expectedTests(m) {
  return [
    `${m.Names}Service > trims the name on create and update`,
    `${m.Names}Service > reads through the cache: the second read does not touch the repository`,
    `${m.Names}Service > invalidates the cached ${m.text} on update and on delete`,
    `${m.Names}Service > answers NOT_FOUND for reads, updates and deletes of unknown ${m.texts}`,
    `${m.Names}Service > pages: asks one extra row to know whether a next page exists`,
    `${m.texts} over HTTP > creates, reads, lists, updates and deletes`,
    `${m.texts} over HTTP > pages with limit and cursor in creation order`,
    `${m.texts} over HTTP > rejects a missing name with a 400 problem naming the field`,
    `${m.texts} over HTTP > rejects an unknown field with a 400 problem naming the field`,
    `${m.texts} over HTTP > rejects a malformed id and a bad list query with 400`,
    `${m.texts} over HTTP > answers an unknown id with a 404 problem on read, update and delete`,
    `${m.texts} over HTTP > replays a create retried with the same Idempotency-Key`,
    `${m.texts} over HTTP > is described in the OpenAPI document, with its errors as problem+json`,
    `${m.texts} over gRPC > creates, reads, lists, updates and deletes`,
    `${m.texts} over gRPC > pages with page_size and page_token`,
    `${m.texts} over gRPC > rejects an invalid request with INVALID_ARGUMENT naming the field`,
    `${m.texts} over gRPC > answers an unknown id with NOT_FOUND on read, update and delete`,
    `${m.texts} over gRPC > replays a create retried with the same idempotency-key`,
    `one service layer behind both transports > serves a ${m.text} created over HTTP to gRPC and back`,
  ];
}

/**
 * Specs of the project itself that must still pass with the modules added, and the tests (by the
 * start of their names) that matter here: the committed OpenAPI document must be current.
 */
const PROJECT_SPECS = [
  {
    file: 'test/e2e/openapi.e2e.spec.ts',
    tests: [
      'OpenAPI document and Swagger UI > is the committed docs/openapi.json',
      'OpenAPI document and Swagger UI > documents every error answer as problem+json',
    ],
  },
];

const specFiles = (m) => [`src/modules/${m.kebabs}/${m.kebabs}.service.spec.ts`, `test/e2e/${m.kebabs}.e2e.spec.ts`];

const started = performance.now();
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)}s`;
const summary = [];

function fail(message) {
  process.stderr.write(`\nverify:generator FAILED: ${message}\n`);
  process.exitCode = 1;
  throw new Error(message);
}

/** Runs a command with its output in a log file; on failure prints the end of that log. */
function step(label, command, commandArgs, { cwd, env = process.env, log, afterFailure } = {}) {
  const since = performance.now();
  process.stdout.write(`- ${label} ... `);
  const fd = openSync(log, 'a');
  appendFileSync(log, `\n$ ${[command, ...commandArgs].join(' ')}\n`);
  const result = spawnSync(command, commandArgs, { cwd, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  process.stdout.write(`${result.status === 0 ? 'ok' : 'FAILED'} (${seconds(since)})\n`);
  summary.push(`${label}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${seconds(since)}`);
  if (result.status !== 0) {
    const tail = readFileSync(log, 'utf8').split('\n').slice(-80).join('\n');
    process.stderr.write(`${tail}\n`);
    afterFailure?.();
    fail(`${label}: ${[command, ...commandArgs].join(' ')} exited ${result.status ?? result.signal}`);
  }
}

function git(cwd, ...gitArgs) {
  const result = spawnSync('git', gitArgs, { cwd, encoding: 'utf8' });
  if (result.status !== 0) fail(`git ${gitArgs.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Asserts on a vitest JSON report: all passed, nothing skipped, every expected test present. */
function checkReport(file, label, projectSpecs) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const tests = report.testResults.flatMap((suite) =>
    suite.assertionResults.map((test) => ({
      name: [...test.ancestorTitles, test.title].join(' > '),
      status: test.status,
    })),
  );
  const broken = report.testResults.filter((suite) => suite.status !== 'passed');
  const notPassed = tests.filter((test) => test.status !== 'passed');
  const names = new Set(tests.map((test) => test.name));
  const missing = [
    ...MODULES.flatMap(expectedTests).filter((name) => !names.has(name)),
    ...projectSpecs
      .flatMap((spec) => spec.tests)
      .filter((prefix) => ![...names].some((name) => name.startsWith(prefix))),
  ];
  const problems = [
    ...broken.map((suite) => `file ${suite.name}: ${suite.status} ${suite.message ?? ''}`.trim()),
    ...notPassed.map((test) => `${test.status}: ${test.name}`),
    ...missing.map((name) => `missing: ${name}`),
  ];
  if (report.numFailedTests || report.numPendingTests || report.numTodoTests) {
    problems.push(
      `counts: ${report.numFailedTests} failed, ${report.numPendingTests} skipped, ${report.numTodoTests} todo`,
    );
  }
  if (problems.length > 0) fail(`${label}:\n  ${problems.join('\n  ')}`);
  const expected = MODULES.flatMap(expectedTests).length + projectSpecs.flatMap((spec) => spec.tests).length;
  const line = `${label}: ${tests.length} tests passed, 0 failed, 0 skipped; the ${expected} expected tests present`;
  summary.push(line);
  process.stdout.write(`  ${line}\n`);
}

function main() {
  const head = git(ROOT, 'rev-parse', 'HEAD');
  const dirty = git(ROOT, 'status', '--porcelain', '--untracked-files=no');
  const dir = mkdtempSync(join(tmpdir(), 'verify-generator-'));
  const repo = join(dir, 'repo');
  const log = join(dir, 'verify.log');
  process.stdout.write(`verify:generator: HEAD ${head.slice(0, 12)} in ${repo}\n`);
  if (dirty) process.stdout.write('  (uncommitted changes in this checkout are not part of the run)\n');
  try {
    git(ROOT, 'clone', '--quiet', '--no-checkout', ROOT, repo);
    git(repo, 'checkout', '--quiet', '--detach', head);
    symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(repo, 'node_modules'));
    // .gitignore's `node_modules/` matches a directory, not this link.
    appendFileSync(join(repo, '.git', 'info', 'exclude'), '/node_modules\n');

    for (const m of MODULES)
      step(`gen:module ${m.name}`, 'npm', ['run', 'gen:module', '--', m.name], { cwd: repo, log });
    git(repo, 'add', '--all');
    git(
      repo,
      '-c',
      'user.name=verify-generator',
      '-c',
      'user.email=verify-generator@localhost',
      'commit',
      '--quiet',
      '-m',
      `Generated ${MODULES.map((m) => m.name).join(', ')}`,
    );
    const changed = git(repo, 'show', '--name-only', '--format=', 'HEAD').split('\n');
    summary.push(`generated and committed ${changed.length} files`);

    step('npm run check', 'npm', ['run', 'check'], { cwd: repo, log });
    step('npm run build', 'npm', ['run', 'build'], { cwd: repo, log });

    const projectSpecs = PROJECT_SPECS.filter((spec) => existsSync(join(repo, spec.file)));
    const specs = [...MODULES.flatMap(specFiles), ...projectSpecs.map((spec) => spec.file)];
    const embedded = { ...process.env };
    delete embedded.DATABASE_URL;
    delete embedded.REDIS_URL;
    const passes = [
      { label: 'tests on express (embedded)', env: { ...embedded, HTTP_ADAPTER: 'express' } },
      { label: 'tests on fastify (embedded)', env: { ...embedded, HTTP_ADAPTER: 'fastify' } },
    ];
    if (WITH_SERVICES) {
      passes.push({
        label: 'tests on express (Postgres + Redis)',
        env: {
          ...process.env,
          HTTP_ADAPTER: 'express',
          DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
          REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        },
      });
    }
    for (const [i, pass] of passes.entries()) {
      const report = join(dir, `report-${i}.json`);
      // A failing run still writes its report: checking it first names the tests that failed.
      const afterFailure = () => existsSync(report) && checkReport(report, pass.label, projectSpecs);
      step(pass.label, 'npx', ['vitest', 'run', '--reporter=json', `--outputFile=${report}`, ...specs], {
        cwd: repo,
        env: pass.env,
        log,
        afterFailure,
      });
      checkReport(report, pass.label, projectSpecs);
    }
    process.stdout.write(`\nverify:generator passed in ${seconds(started)}\n  ${summary.join('\n  ')}\n`);
  } finally {
    if (KEEP) process.stdout.write(`kept: ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  if (!process.exitCode) {
    process.stderr.write(`verify:generator FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
