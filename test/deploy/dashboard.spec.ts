import { status } from '@grpc/grpc-js';
import { grpcCodeName } from '../../src/core/metrics/metrics.service';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { MetricsService } from '../../src/core/metrics/metrics.service';
import { grpcError } from '../support/grpc-client';
import { USE_REAL_SERVICES } from '../support/infra';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The Grafana dashboard may chart only what the service exports: every metric and label its
 * queries name is checked against a live scrape of the test app, so renaming a metric or a label
 * in src/ fails here instead of leaving an empty panel in production.
 */

interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface DataSourceRef {
  type?: string;
  uid?: string;
}
interface Target {
  refId: string;
  expr: string;
  datasource?: DataSourceRef;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  datasource?: DataSourceRef;
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: DataSourceRef;
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

const dashboard = JSON.parse(
  readFileSync(join(__dirname, '../../deploy/grafana/service-dashboard.json'), 'utf8'),
) as Dashboard;
const allPanels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const charts = allPanels.filter((panel) => panel.type !== 'row');
const variables = dashboard.templating.list;
const queryOf = (variable: Variable) => (typeof variable.query === 'string' ? variable.query : variable.query.query);

/** Labels Prometheus attaches to every series at scrape time; the service never exports them. */
const TARGET_LABELS = new Set(['job', 'instance']);
/** Grafana's own variables, usable in any query. */
const GRAFANA_VARIABLES = new Set(['__rate_interval', '__interval', '__range', '__range_s']);
/** Label values a scrape of the test app does not show but the service can export. */
const KNOWN_VALUES: Record<string, string[]> = {
  grpc_code: Object.values(status)
    .filter((code): code is number => typeof code === 'number')
    .map(grpcCodeName),
};
/**
 * Families that may have no samples in a scrape of a fresh test app; their labels are read from
 * the registry: the pool exists only on a real Postgres, and the GC histogram gets its first
 * sample at the first garbage collection, which a short test may not have seen yet.
 */
const MAY_BE_EMPTY = [...(USE_REAL_SERVICES ? [] : ['db_pool_connections']), 'nodejs_gc_duration_seconds'];

// ---------------------------------------------------------------------------------------------
// PromQL, enough of it to find the metric and label names a query uses.

const AGGREGATIONS = new Set([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
]);
const FUNCTIONS = new Set([
  'abs',
  'absent',
  'absent_over_time',
  'avg_over_time',
  'ceil',
  'changes',
  'clamp',
  'clamp_max',
  'clamp_min',
  'count_over_time',
  'delta',
  'deriv',
  'floor',
  'histogram_quantile',
  'idelta',
  'increase',
  'irate',
  'label_join',
  'label_replace',
  'last_over_time',
  'max_over_time',
  'min_over_time',
  'predict_linear',
  'quantile_over_time',
  'rate',
  'resets',
  'round',
  'scalar',
  'sort',
  'sort_desc',
  'sum_over_time',
  'time',
  'timestamp',
  'vector',
]);
const GROUPING = new Set(['by', 'without']);
const MATCHING = new Set(['on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset']);

interface Token {
  kind: 'string' | 'range' | 'ident' | 'number' | 'op';
  text: string;
}
interface Matcher {
  label: string;
  op: string;
  value: string;
}
interface Selector {
  metric: string;
  matchers: Matcher[];
  at: number;
}
/** Labels that must exist on every selector between token indexes `from` and `to`. */
interface LabelUse {
  labels: string[];
  from: number;
  to: number;
}

const TOKEN =
  /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\[[^\]]*\])|(\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:ms|[smhdwy])?|\.\d+)|([A-Za-z_:][\w:]*)|(=~|!~|!=|==|>=|<=|[-+*/%^=<>(){},]))/y;

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expr.trimEnd().length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(expr);
    if (!match) throw new Error(`cannot read PromQL at "${expr.slice(at)}" in: ${expr}`);
    const [, string, range, number, ident, op] = match;
    if (string !== undefined) tokens.push({ kind: 'string', text: JSON.parse(string.replace(/^'|'$/g, '"')) });
    else if (range !== undefined) tokens.push({ kind: 'range', text: range });
    else if (number !== undefined) tokens.push({ kind: 'number', text: number });
    else if (ident !== undefined) tokens.push({ kind: 'ident', text: ident });
    else tokens.push({ kind: 'op', text: op! });
  }
  return tokens;
}

function closing(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.text === '(') depth++;
    else if (tokens[i]!.text === ')' && --depth === 0) return i;
  }
  throw new Error('unbalanced parentheses');
}

/** The `(a, b)` list starting at `open`: its names and the index of its `)`. */
function labelList(tokens: Token[], open: number): { labels: string[]; end: number } {
  if (tokens[open]?.text !== '(') throw new Error(`expected "(" after ${tokens[open - 1]?.text}`);
  const end = closing(tokens, open);
  const labels = tokens.slice(open + 1, end).filter((token) => token.text !== ',');
  for (const token of labels) if (token.kind !== 'ident') throw new Error(`not a label name: ${token.text}`);
  return { labels: labels.map((token) => token.text), end };
}

function parsePromQL(expr: string): { selectors: Selector[]; uses: LabelUse[] } {
  const tokens = tokenize(expr);
  const selectors: Selector[] = [];
  const uses: LabelUse[] = [];
  const consumed = new Set<number>();
  const consume = (from: number, to: number) => {
    for (let i = from; i <= to; i++) consumed.add(i);
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (consumed.has(i)) continue;
    if (token.text === '{') throw new Error(`a selector without a metric name in: ${expr}`);
    if (token.kind !== 'ident') continue;
    const next = tokens[i + 1];
    if (AGGREGATIONS.has(token.text) && (next?.text === '(' || GROUPING.has(next?.text ?? ''))) {
      // sum by (a) (x)  or  sum (x) by (a): the labels must exist on every metric in x.
      let open = i + 1;
      const labels: string[] = [];
      if (GROUPING.has(next!.text)) {
        const list = labelList(tokens, i + 2);
        labels.push(...list.labels);
        consume(i + 1, list.end);
        open = list.end + 1;
      }
      const end = closing(tokens, open);
      if (GROUPING.has(tokens[end + 1]?.text ?? '')) {
        const list = labelList(tokens, end + 2);
        labels.push(...list.labels);
        consume(end + 1, list.end);
      }
      if (labels.length) uses.push({ labels, from: open, to: end });
    } else if (MATCHING.has(token.text)) {
      // Vector matching labels must exist on both sides: check them against the whole query.
      if (next?.text !== '(') continue;
      const list = labelList(tokens, i + 1);
      consume(i, list.end);
      uses.push({ labels: list.labels, from: 0, to: tokens.length - 1 });
    } else if (GROUPING.has(token.text)) {
      throw new Error(`"${token.text}" outside an aggregation in: ${expr}`);
    } else if (next?.text === '(') {
      if (!FUNCTIONS.has(token.text)) throw new Error(`unknown PromQL function ${token.text}() in: ${expr}`);
    } else if (!KEYWORDS.has(token.text)) {
      const selector: Selector = { metric: token.text, matchers: [], at: i };
      if (next?.text === '{') {
        let j = i + 2;
        while (tokens[j]?.text !== '}') {
          const [label, op, value] = [tokens[j], tokens[j + 1], tokens[j + 2]];
          if (label?.kind !== 'ident' || op?.kind !== 'op' || value?.kind !== 'string') {
            throw new Error(`cannot read the matchers of ${token.text} in: ${expr}`);
          }
          selector.matchers.push({ label: label.text, op: op.text, value: value.text });
          j += tokens[j + 3]?.text === ',' ? 4 : 3;
        }
        consume(i + 1, j);
      }
      selectors.push(selector);
    }
  }
  return { selectors, uses };
}

// ---------------------------------------------------------------------------------------------
// The Prometheus text format: families by `# TYPE`, and per sample name the labels and values seen.

interface Scrape {
  types: Map<string, string>;
  samples: Map<string, Map<string, Set<string>>>;
}

function parseScrape(text: string): Scrape {
  const types = new Map<string, string>();
  const samples = new Map<string, Map<string, Set<string>>>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (!line || line.startsWith('#')) continue;
    const sample = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? \S+/.exec(line);
    if (!sample) throw new Error(`unreadable sample line: ${line}`);
    const labels = samples.get(sample[1]!) ?? new Map<string, Set<string>>();
    samples.set(sample[1]!, labels);
    for (const [, name, value] of (sample[2] ?? '').matchAll(/([A-Za-z_]\w*)="((?:[^"\\]|\\.)*)"/g)) {
      labels.set(name!, (labels.get(name!) ?? new Set()).add(value!));
    }
  }
  return { types, samples };
}

/** The `# TYPE` family a sample name belongs to: itself, or a histogram's / summary's series. */
function familyOf(scrape: Scrape, name: string): string | undefined {
  const type = scrape.types.get(name);
  if (type) return type === 'histogram' || type === 'summary' ? undefined : name;
  const suffixed = /^(.+)_(bucket|sum|count)$/.exec(name);
  if (!suffixed) return undefined;
  const base = scrape.types.get(suffixed[1]!);
  if (base === 'histogram' || (base === 'summary' && suffixed[2] !== 'bucket')) return suffixed[1];
  return undefined;
}

// ---------------------------------------------------------------------------------------------

describe('Grafana dashboard (deploy/grafana/service-dashboard.json)', () => {
  describe('structure', () => {
    it('has a stable uid, a title and a current schema', () => {
      expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
      expect(dashboard.title).toBeTruthy();
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    });

    it('picks the Prometheus data source, job and instance through variables', () => {
      const byName = Object.fromEntries(variables.map((variable) => [variable.name, variable]));
      expect(byName.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
      for (const name of ['job', 'instance']) {
        expect(byName[name]?.type).toBe('query');
        expect(byName[name]?.datasource?.uid).toBe('${datasource}');
        expect(queryOf(byName[name]!)).toMatch(new RegExp(`^label_values\\(.+, ${name}\\)$`));
      }
    });

    it('gives every panel a unique id', () => {
      const ids = allPanels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('lays the panels out on the 24-column grid without overlaps', () => {
      for (const { title, gridPos: p } of allPanels) {
        expect({ title, fits: p.x >= 0 && p.y >= 0 && p.w > 0 && p.h > 0 && p.x + p.w <= 24 }).toEqual({
          title,
          fits: true,
        });
      }
      const overlaps = allPanels.flatMap((a, i) =>
        allPanels
          .slice(i + 1)
          .filter(
            (b) =>
              a.gridPos.x < b.gridPos.x + b.gridPos.w &&
              b.gridPos.x < a.gridPos.x + a.gridPos.w &&
              a.gridPos.y < b.gridPos.y + b.gridPos.h &&
              b.gridPos.y < a.gridPos.y + a.gridPos.h,
          )
          .map((b) => `${a.title} / ${b.title}`),
      );
      expect(overlaps).toEqual([]);
    });

    it('queries the data source variable from every panel and target', () => {
      for (const panel of charts) {
        expect({ panel: panel.title, datasource: panel.datasource?.uid }).toEqual({
          panel: panel.title,
          datasource: '${datasource}',
        });
        expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
        for (const target of panel.targets!) {
          expect(target.expr, `${panel.title} ${target.refId}`).toBeTruthy();
          expect(target.datasource?.uid ?? '${datasource}', `${panel.title} ${target.refId}`).toBe('${datasource}');
        }
      }
    });

    it('uses only variables it defines (or Grafana built-ins)', () => {
      const defined = new Set([...variables.map((variable) => variable.name), ...GRAFANA_VARIABLES]);
      const used = [
        ...charts.flatMap((panel) => panel.targets!.map((target) => target.expr)),
        ...variables.map(queryOf),
      ]
        .flatMap((expr) => [...expr.matchAll(/\$\{?(\w+)/g)].map((match) => match[1]!))
        .filter((name) => !defined.has(name));
      expect(used).toEqual([]);
    });
  });

  describe('queries, against a live scrape', () => {
    let t: TestApp;
    let scrape: Scrape;
    let declaredLabels: (family: string) => string[];
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_SECOND: '0.01' });
      const created = await request(t.httpUrl)
        .post('/users')
        .send({ name: 'D', email: 'd@dashboard.test', age: 1 })
        .expect(201);
      await t.client.getUser({ id: created.body.id });
      await request(t.httpUrl).get(`/users/${created.body.id}`).expect(200);
      // Over the burst: one refusal per transport, so the rejection counter and a non-OK code have samples.
      await request(t.httpUrl).get('/users').expect(429);
      expect((await grpcError(t.client.getUser({ id: created.body.id }))).code).toBe(status.RESOURCE_EXHAUSTED);
      scrape = parseScrape((await request(t.httpUrl).get('/metrics').expect(200)).text);
      const registry = t.app.get(MetricsService).registry;
      declaredLabels = (family) =>
        (registry.getSingleMetric(family) as unknown as { labelNames?: string[] } | undefined)?.labelNames ?? [];
    });
    afterAll(async () => {
      await t?.close();
    });

    const queries = () => [
      ...charts.flatMap((panel) =>
        panel.targets!.map((target) => ({ where: `panel "${panel.title}" ${target.refId}`, expr: target.expr })),
      ),
      ...variables
        .filter((variable) => variable.type === 'query')
        .map((variable) => ({ where: `variable $${variable.name}`, expr: queryOf(variable) })),
    ];

    /** label_values(selector, label): the selector is a query, the label must be on its metric. */
    const parseQuery = (expr: string) => {
      const labelValues = /^label_values\((.+),\s*(\w+)\)$/.exec(expr);
      if (!labelValues) return parsePromQL(expr);
      const parsed = parsePromQL(labelValues[1]!);
      return { ...parsed, uses: [...parsed.uses, { labels: [labelValues[2]!], from: 0, to: Infinity }] };
    };

    /** Labels and values per referenced series name, from the scrape or else the registry. */
    const labelsOf = (name: string, family: string): Map<string, Set<string>> | undefined => {
      const seen = scrape.samples.get(name);
      if (seen) return seen;
      if (!MAY_BE_EMPTY.includes(family)) return undefined;
      const declared = [...declaredLabels(family), ...(name.endsWith('_bucket') ? ['le'] : [])];
      return new Map(declared.map((label) => [label, new Set<string>()]));
    };

    it('name only metrics the service exports', () => {
      const problems = queries().flatMap(({ where, expr }) =>
        parseQuery(expr)
          .selectors.filter((selector) => !familyOf(scrape, selector.metric))
          .map((selector) => `${where}: ${selector.metric} is not exported`),
      );
      expect(problems).toEqual([]);
    });

    it('use only labels, and label values, that those metrics carry', () => {
      const problems: string[] = [];
      for (const { where, expr } of queries()) {
        const { selectors, uses } = parseQuery(expr);
        const labelsAt = new Map<Selector, Map<string, Set<string>> | undefined>();
        for (const selector of selectors) {
          const family = familyOf(scrape, selector.metric);
          if (!family) continue; // reported by the test above
          const labels = labelsOf(selector.metric, family);
          if (!labels) problems.push(`${where}: ${selector.metric} has no samples in the scrape`);
          labelsAt.set(selector, labels);
        }
        for (const selector of selectors) {
          const labels = labelsAt.get(selector);
          if (!labels) continue;
          for (const { label, op, value } of selector.matchers) {
            if (TARGET_LABELS.has(label)) continue;
            const values = labels.get(label);
            if (!values) {
              problems.push(`${where}: ${selector.metric} has no label ${label}`);
            } else if ((op === '=' || op === '!=') && !value.includes('$')) {
              const possible = new Set([...values, ...(KNOWN_VALUES[label] ?? [])]);
              if (!possible.has(value)) {
                problems.push(
                  `${where}: ${selector.metric}{${label}="${value}"} never occurs (seen: ${[...possible].join(', ')})`,
                );
              }
            }
          }
        }
        for (const use of uses) {
          for (const selector of selectors.filter((s) => s.at >= use.from && s.at <= use.to)) {
            const labels = labelsAt.get(selector);
            for (const label of use.labels) {
              if (labels && !TARGET_LABELS.has(label) && !labels.has(label)) {
                problems.push(`${where}: ${selector.metric} has no label ${label}`);
              }
            }
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('chart every metric of the service itself (process_* and nodejs_* aside)', () => {
      const referenced = new Set(
        queries().flatMap(({ expr }) => parseQuery(expr).selectors.map((s) => familyOf(scrape, s.metric))),
      );
      const own = [...scrape.types.keys()].filter((family) => !/^(process|nodejs)_/.test(family));
      expect(own.length).toBeGreaterThan(0);
      expect(own.filter((family) => !referenced.has(family))).toEqual([]);
    });

    it('reads labels from the registry only for the families that may have no samples yet', () => {
      const names = [...scrape.samples.keys()];
      const empty = [
        ...new Set(queries().flatMap(({ expr }) => parseQuery(expr).selectors.map((s) => familyOf(scrape, s.metric)))),
      ].filter((family) => family && !names.some((name) => familyOf(scrape, name) === family));
      expect(empty.filter((family) => !MAY_BE_EMPTY.includes(family!))).toEqual([]);
      if (!USE_REAL_SERVICES) expect(empty).toContain('db_pool_connections');
    });
  });
});
