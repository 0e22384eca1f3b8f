#!/usr/bin/env node
/*
 * `npm run gen:module -- <name> [--plural <plural>] [--dry-run]`: scaffolds a dual-transport (HTTP + gRPC)
 * feature module shaped like src/modules/users, registers it (AppModule, GRPC_SERVICES, its
 * OpenAPI tag), then regenerates the proto types, the migration and the committed OpenAPI
 * document, and formats what it wrote. The templates are in scripts/templates/module/.
 *
 * The name is singular kebab-case (`widget`, `stock-item`); every other spelling is derived from
 * it: StockItem, stockItem, stock_item (proto package and directory, table), stock-items (module
 * directory, HTTP route). Existing files are never overwritten.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const TEMPLATES = join(import.meta.dirname, 'templates', 'module');
const NAME_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Names that would not compile or would collide: JavaScript and TypeScript keywords (the names
 * become identifiers), identifiers the templates use next to the entity's own, and what the service
 * already owns (routes, proto packages, directories).
 */
const RESERVED = new Set([
  // JavaScript / TypeScript
  ...['abstract', 'any', 'arguments', 'as', 'async', 'await', 'boolean', 'break', 'case', 'catch', 'class'],
  ...['const', 'constructor', 'continue', 'debugger', 'declare', 'default', 'delete', 'do', 'else', 'enum'],
  ...['eval', 'export', 'extends', 'false', 'finally', 'for', 'from', 'function', 'get', 'if', 'implements'],
  ...['import', 'in', 'infer', 'instanceof', 'interface', 'is', 'keyof', 'let', 'module', 'namespace', 'never'],
  ...['new', 'null', 'number', 'object', 'of', 'package', 'private', 'protected', 'public', 'readonly'],
  ...['require', 'return', 'set', 'static', 'string', 'super', 'switch', 'symbol', 'this', 'throw', 'true'],
  ...['try', 'type', 'typeof', 'undefined', 'unique', 'unknown', 'var', 'void', 'while', 'with', 'yield'],
  // identifiers of the generated code
  ...['asc', 'eq', 'gt', 'body', 'cache', 'client', 'cursor', 'entity', 'error', 'id', 'input', 'item', 'limit'],
  ...['metadata', 'page', 'params', 'query', 'repository', 'request', 'response', 'row', 'status', 'timestamp'],
  // the service's own names
  ...['app', 'core', 'generated', 'google', 'grpc', 'health', 'healthz', 'readyz', 'metric', 'metrics'],
  ...['docs', 'openapi', 'idempotency', 'idempotency-key', 'reflection', 'user', 'users', 'test', 'support'],
]);

/** Globals the generated code uses by name; an entity called `Date` or `Record` would shadow them. */
const GLOBALS = ['Array', 'Date', 'Error', 'JSON', 'Map', 'Math', 'Number', 'Object', 'Omit', 'Partial', 'Promise'];
GLOBALS.push('Record', 'Set', 'String');

/** Every name the templates import (`Post`, `Controller`, `ErrorCode`...): the entity must not be one. */
function importedNames() {
  const names = new Set(GLOBALS);
  for (const file of listFiles(TEMPLATES)) {
    const source = readFileSync(file, 'utf8');
    for (const [, list] of source.matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}\s+from/gm)) {
      for (const item of list.split(',')) {
        const local = item
          .trim()
          .split(/\s+as\s+/)
          .pop();
        if (local && !local.includes('{{')) names.add(local);
      }
    }
    for (const [, local] of source.matchAll(/^import\s+(?:\*\s+as\s+)?(\w+)\s+from/gm)) names.add(local);
  }
  return names;
}

function usage(exitCode) {
  const text = `Usage: npm run gen:module -- <name> [--plural <plural>] [--dry-run]

  <name>      singular, kebab-case: ${NAME_RE.source} (e.g. widget, stock-item)
  --plural    the plural when "<name>s" / "<name>es" / "<name>ies" is wrong (e.g. --plural people)
  --dry-run   check the name and list the files, write nothing
`;
  (exitCode === 0 ? process.stdout : process.stderr).write(text);
  process.exit(exitCode);
}

function fail(message) {
  process.stderr.write(`gen:module: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  let name;
  let plural;
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') usage(0);
    else if (arg === '--plural') plural = argv[++i] ?? usage(1);
    else if (arg.startsWith('--plural=')) plural = arg.slice('--plural='.length);
    else if (arg === '--dry-run') dryRun = true;
    else if (arg.startsWith('-')) fail(`unknown option ${arg}`);
    else if (name === undefined) name = arg;
    else fail(`unexpected argument ${arg}`);
  }
  if (name === undefined) usage(1);
  return { name, plural, dryRun };
}

/** Simple English rules; `--plural` covers the rest. */
function pluralize(word) {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

const capitalize = (text) => text[0].toUpperCase() + text.slice(1);
const pascal = (kebab) => kebab.split('-').map(capitalize).join('');
const camel = (kebab) => pascal(kebab).replace(/^./, (c) => c.toLowerCase());

/** Every spelling the templates use, as `{{token}}`. */
function deriveNames(name, plural = pluralize(name)) {
  return {
    Name: pascal(name),
    Names: pascal(plural),
    name: camel(name),
    names: camel(plural),
    name_snake: name.replaceAll('-', '_'),
    names_snake: plural.replaceAll('-', '_'),
    'name-kebab': name,
    'names-kebab': plural,
    nameText: name.replaceAll('-', ' '),
    namesText: plural.replaceAll('-', ' '),
    NameText: capitalize(name.replaceAll('-', ' ')),
    NamesText: capitalize(plural.replaceAll('-', ' ')),
  };
}

function validate(name, plural) {
  for (const [label, value] of [
    ['name', name],
    ['plural', plural],
  ]) {
    if (!NAME_RE.test(value)) fail(`the ${label} "${value}" must be kebab-case: ${NAME_RE.source}`);
    // Proto field names (stock_2item) and TS identifiers need every word to start with a letter.
    if (value.split('-').some((part) => !/^[a-z]/.test(part)))
      fail(`every word of the ${label} "${value}" must start with a letter`);
    if (RESERVED.has(value) || RESERVED.has(camel(value))) fail(`"${value}" is reserved; choose another ${label}`);
  }
  const imported = importedNames();
  for (const identifier of [pascal(name), pascal(plural), camel(name), camel(plural)]) {
    if (imported.has(identifier)) {
      fail(`"${name}" would clash with ${identifier}, which the generated code uses; choose a more specific name`);
    }
  }
  if (name === plural) fail(`the plural must differ from the name (module files use both); pass another --plural`);
}

/** Template file (under scripts/templates/module) -> where it goes, as a path template. */
const FILES = [
  ['proto.tpl', 'proto/{{name_snake}}/v1/{{name_snake}}.proto'],
  ['module.ts.tpl', 'src/modules/{{names-kebab}}/{{names-kebab}}.module.ts'],
  ['model.ts.tpl', 'src/modules/{{names-kebab}}/{{name-kebab}}.model.ts'],
  ['errors.ts.tpl', 'src/modules/{{names-kebab}}/{{names-kebab}}.errors.ts'],
  ['schema.ts.tpl', 'src/modules/{{names-kebab}}/{{names-kebab}}.schema.ts'],
  ['repository.ts.tpl', 'src/modules/{{names-kebab}}/{{names-kebab}}.repository.ts'],
  ['service.ts.tpl', 'src/modules/{{names-kebab}}/{{names-kebab}}.service.ts'],
  ['service.spec.ts.tpl', 'src/modules/{{names-kebab}}/{{names-kebab}}.service.spec.ts'],
  ['http.controller.ts.tpl', 'src/modules/{{names-kebab}}/{{names-kebab}}.http.controller.ts'],
  ['grpc.controller.ts.tpl', 'src/modules/{{names-kebab}}/{{names-kebab}}.grpc.controller.ts'],
  ['dto/fields.ts.tpl', 'src/modules/{{names-kebab}}/dto/{{name-kebab}}-fields.ts'],
  ['dto/create.dto.ts.tpl', 'src/modules/{{names-kebab}}/dto/create-{{name-kebab}}.dto.ts'],
  ['dto/update.dto.ts.tpl', 'src/modules/{{names-kebab}}/dto/update-{{name-kebab}}.dto.ts'],
  ['dto/list.dto.ts.tpl', 'src/modules/{{names-kebab}}/dto/list-{{names-kebab}}.dto.ts'],
  ['dto/id.dto.ts.tpl', 'src/modules/{{names-kebab}}/dto/{{name-kebab}}-id.dto.ts'],
  ['dto/response.ts.tpl', 'src/modules/{{names-kebab}}/dto/{{name-kebab}}.response.ts'],
  ['e2e.spec.ts.tpl', 'test/e2e/{{names-kebab}}.e2e.spec.ts'],
];

function render(template, names) {
  return template.replace(/\{\{([\w-]+)\}\}/g, (token, key) => {
    if (!(key in names)) throw new Error(`unknown template token ${token}`);
    return names[key];
  });
}

/** What already exists under these names: a module, a proto package, a table or a route. */
function conflicts(names) {
  const found = [];
  for (const path of [
    `src/modules/${names['names-kebab']}`,
    `proto/${names.name_snake}`,
    `test/e2e/${names['names-kebab']}.e2e.spec.ts`,
  ]) {
    if (existsSync(join(ROOT, path))) found.push(`${path} exists`);
  }
  const tables = new Set();
  for (const base of ['src/core', 'src/modules']) {
    for (const file of listFiles(join(ROOT, base)).filter((f) => f.endsWith('.schema.ts'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/pgTable\(\s*'([^']+)'/g)) tables.add(match[1]);
    }
  }
  if (tables.has(names.names_snake)) found.push(`a table named ${names.names_snake} exists`);
  return found;
}

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Adds the module to AppModule's imports; a no-op when it is there already. */
function patchAppModule(names) {
  const path = join(ROOT, 'src/app.module.ts');
  const moduleClass = `${names.Names}Module`;
  let source = readFileSync(path, 'utf8');
  if (source.includes(moduleClass)) return false;
  const importLine = `import { ${moduleClass} } from './modules/${names['names-kebab']}/${names['names-kebab']}.module';`;
  const imports = [...source.matchAll(/^import .*;$/gm)];
  const anchor = [...imports].reverse().find((m) => m[0].includes("'./modules/")) ?? imports[imports.length - 1];
  if (!anchor) fail('src/app.module.ts has no import to add after; add the module by hand');
  const at = anchor.index + anchor[0].length;
  source = `${source.slice(0, at)}\n${importLine}${source.slice(at)}`;
  const list = /(imports:\s*\[)([^\]]*?)(\n?\s*\])/.exec(source);
  if (!list) fail(`cannot find the imports array of AppModule; add ${moduleClass} to it by hand`);
  const entries = list[2].replace(/,?\s*$/, '');
  const replaced = `${list[1]}${entries},\n${moduleClass},${list[3]}`;
  source = source.slice(0, list.index) + replaced + source.slice(list.index + list[0].length);
  writeFileSync(path, source);
  return true;
}

/** Adds the proto package to GRPC_SERVICES (what the gRPC server loads); a no-op when present. */
function patchGrpcServices(names) {
  const path = join(ROOT, 'src/core/grpc/grpc.options.ts');
  const pkg = `${names.name_snake}.v1`;
  let source = readFileSync(path, 'utf8');
  if (source.includes(`'${pkg}'`)) return false;
  const list = /(export const GRPC_SERVICES = \[)([\s\S]*?)(\];)/.exec(source);
  if (!list) fail(`cannot find GRPC_SERVICES in ${relative(ROOT, path)}; add ${pkg} to it by hand`);
  const entry = `{ package: '${pkg}', protoPath: '${names.name_snake}/v1/${names.name_snake}.proto' }`;
  const entries = list[2].replace(/,?\s*$/, '');
  source =
    source.slice(0, list.index) +
    `${list[1]}${entries}, ${entry}${list[3]}` +
    source.slice(list.index + list[0].length);
  writeFileSync(path, source);
  return true;
}

/** Runs a step; on failure says what is left to do, since the files are already written. */
/** Gives the module's tag a description in the OpenAPI document, next to the users tag. */
function patchOpenApiTags(names) {
  const path = join(ROOT, 'src/core/openapi/openapi.ts');
  if (!existsSync(path)) return false;
  const tag = names['names-kebab'];
  let source = readFileSync(path, 'utf8');
  if (source.includes(`.addTag('${tag}'`)) return false;
  const tags = [...source.matchAll(/^(\s*)\.addTag\('([^']+)'.*$/gm)];
  if (tags.length === 0) return false;
  // Features first, then the management endpoints.
  const before = tags.find((m) => m[2] === 'management');
  const at = before ? before.index : tags[tags.length - 1].index + tags[tags.length - 1][0].length + 1;
  const indent = (before ?? tags[0])[1];
  const description = `The ${names.namesText} feature; the same operations as ${names.name_snake}.v1.${names.Name}Service over gRPC`;
  source = `${source.slice(0, at)}${indent}.addTag('${tag}', '${description}')\n${source.slice(at)}`;
  writeFileSync(path, source);
  return true;
}

function run(command, args, remaining) {
  process.stdout.write(`\n$ ${[command, ...args].join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    fail(
      `${[command, ...args].join(' ')} failed (exit ${result.status ?? result.signal}).\n` +
        `The module's files are written; fix the cause, then finish with:\n  ${remaining.join(' && ')}`,
    );
  }
}

/** The tools the steps after writing need, checked before anything is written. */
function checkTools() {
  const missing = ['buf', 'protoc-gen-ts_proto', 'drizzle-kit', 'prettier'].filter(
    (tool) => !existsSync(join(ROOT, 'node_modules', '.bin', tool)),
  );
  if (missing.length > 0) fail(`${missing.join(', ')} not found in node_modules/.bin; run npm install first`);
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const plural = args.plural ?? pluralize(args.name);
  validate(args.name, plural);
  const names = deriveNames(args.name, plural);
  const clashes = conflicts(names);
  if (clashes.length > 0) fail(`"${args.name}" is taken: ${clashes.join('; ')}`);
  if (args.dryRun) {
    const files = FILES.map(([, target]) => `  + ${render(target, names)}`);
    process.stdout.write(`Would create (dry run, nothing written):\n${files.join('\n')}\n`);
    return;
  }
  checkTools();

  const created = [];
  for (const [template, target] of FILES) {
    const path = join(ROOT, render(target, names));
    if (existsSync(path)) fail(`${relative(ROOT, path)} exists; nothing was overwritten`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, render(readFileSync(join(TEMPLATES, template), 'utf8'), names));
    created.push(relative(ROOT, path));
  }
  const patched = [];
  if (patchAppModule(names)) patched.push('src/app.module.ts');
  if (patchGrpcServices(names)) patched.push('src/core/grpc/grpc.options.ts');
  if (patchOpenApiTags(names)) patched.push('src/core/openapi/openapi.ts');

  const formatted = [...created, ...patched].filter((file) => !file.endsWith('.proto'));
  const steps = [
    ['npm', ['run', '--silent', 'proto:gen']],
    ['npm', ['run', '--silent', 'db:generate', '--', '--name', names.names_snake]],
    ['npx', ['prettier', '--log-level', 'warn', '--write', ...formatted]],
  ];
  // The committed OpenAPI document describes the HTTP API, the new routes included.
  const hasOpenApi = Boolean(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts?.['openapi:gen']);
  if (hasOpenApi) steps.push(['npm', ['run', '--silent', 'openapi:gen']]);
  const migrationsBefore = new Set(readdirSync(join(ROOT, 'drizzle')));
  for (const [i, [command, commandArgs]] of steps.entries()) {
    run(
      command,
      commandArgs,
      steps.slice(i).map(([c, a]) => [c, ...a].join(' ')),
    );
  }
  const migrations = readdirSync(join(ROOT, 'drizzle'))
    .filter((file) => file.endsWith('.sql') && !migrationsBefore.has(file))
    .map((file) => `drizzle/${file}`);

  const route = `/${names['names-kebab']}`;
  const service = `${names.name_snake}.v1.${names.Name}Service`;
  const lines = [
    '',
    `Created the ${names.namesText} module:`,
    ...created.map((file) => `  + ${file}`),
    `  + src/generated/${names.name_snake}/v1/${names.name_snake}.ts (npm run proto:gen)`,
    ...migrations.map((file) => `  + ${file} (npm run db:generate)`),
    ...patched.map((file) => `  ~ ${file}`),
    ...(hasOpenApi ? ['  ~ docs/openapi.json (npm run openapi:gen)'] : []),
    '',
    'Next steps:',
    `  1. Run its tests: npx vitest run ${created.filter((file) => file.endsWith('.spec.ts')).join(' ')}`,
    '  2. Commit, then npm run check (the proto and migration drift checks compare with what is committed).',
    `  3. Shape the ${names.nameText}: its fields are in the proto, ${names['name-kebab']}.model.ts, ${names['names-kebab']}.schema.ts,`,
    `     dto/${names['name-kebab']}-fields.ts and dto/${names['name-kebab']}.response.ts; after a change run npm run proto:gen,`,
    '     npm run db:generate and npm run openapi:gen.',
    '  4. Try it (npm start):',
    `     curl -s localhost:3000${route} -H 'content-type: application/json' -d '{"name":"First"}'`,
    `     curl -s 'localhost:3000${route}?limit=10'`,
    `     grpcurl -plaintext -d '{"name":"First"}' localhost:50051 ${service}/Create${names.Name}`,
    `     grpcurl -plaintext -d '{"page_size":10}' localhost:50051 ${service}/List${names.Names}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main();
