/**
 * Property-style test: random twins × random WHERE clauses. The engine's answer must equal that of the
 * straightforward reference evaluator below, written from the semantics in iothub-protocol.md §9.3 and README.md
 * without any engine code. Reproduce a failure with QUERY_PROPERTY_SEED=<seed printed in the failure>.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../../../../emulator/model/json.js';
import { compileQuery, quoteString } from '../../../../emulator/query/index.js';
import { runAllPages } from './query-test-helpers.js';
import { createRandom, type Random } from '../../../../emulator/util/seeded-random.js';

const SEED = Number(process.env['QUERY_PROPERTY_SEED'] ?? 20240611);
const TWIN_COUNT = 300;
const QUERY_COUNT = 300;

type Value = JsonValue | undefined;


const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

// ---------- random twins ----------

const SCALARS: readonly JsonValue[] = [-2, -1, 0, 1, 2, 3, 1.5, 'a', 'b', 'A', '', '1', "it's", true, false, null];
const STRUCTURED: readonly JsonValue[] = [[1, 2], ['a'], { x: 1 }, {}];

function randomValue(random: Random): JsonValue {
  return random() < 0.9 ? pick(random, SCALARS) : pick(random, STRUCTURED);
}

function randomSection(random: Random, keys: readonly string[]): JsonObject {
  const section: JsonObject = {};
  for (const key of keys) if (random() < 0.7) section[key] = randomValue(random);
  if (random() < 0.6) {
    const nested: JsonObject = {};
    for (const key of ['x', 'y']) if (random() < 0.7) nested[key] = randomValue(random);
    section['n'] = nested;
  } else if (random() < 0.2) section['n'] = randomValue(random);
  return section;
}

function randomTwins(random: Random): JsonObject[] {
  return Array.from({ length: TWIN_COUNT }, (_, i) => {
    const twin: JsonObject = { deviceId: `d${i}`, version: 1 + Math.floor(random() * 5) };
    if (random() < 0.1) twin['moduleId'] = `m${i}`;
    if (random() < 0.9) twin['status'] = pick(random, ['enabled', 'disabled']);
    if (random() < 0.9) twin['tags'] = randomSection(random, ['a', 'b', 'c']);
    twin['properties'] = { desired: { $version: 1 }, reported: { ...randomSection(random, ['a', 'b']), $version: 2 } };
    return twin;
  });
}

// ---------- random conditions (a tiny AST of the test's own) ----------

type Node =
  | { readonly k: 'path'; readonly segments: readonly string[]; readonly text: string }
  | { readonly k: 'const'; readonly value: Value; readonly text: string }
  | { readonly k: 'arith'; readonly op: '+' | '-' | '*' | '/' | '%'; readonly l: Node; readonly r: Node }
  | { readonly k: 'neg'; readonly e: Node }
  | { readonly k: 'cmp'; readonly op: '=' | '!=' | '<' | '>' | '<=' | '>='; readonly text: string; readonly l: Node; readonly r: Node }
  | { readonly k: 'in'; readonly negate: boolean; readonly e: Node; readonly list: readonly Value[]; readonly text: string }
  | { readonly k: 'logic'; readonly op: 'and' | 'or'; readonly l: Node; readonly r: Node }
  | { readonly k: 'not'; readonly e: Node }
  | { readonly k: 'call'; readonly name: 'IS_DEFINED' | 'STARTSWITH' | 'IS_STRING'; readonly args: readonly Node[] };

const PATHS: readonly (readonly string[])[] = [
  ['tags', 'a'], ['tags', 'b'], ['tags', 'c'], ['tags', 'n'], ['tags', 'n', 'x'], ['tags', 'n', 'y'], ['tags', 'a', 'x'],
  ['tags', 'missing'], ['properties', 'reported', 'a'], ['properties', 'reported', 'b'], ['properties', 'reported', 'n', 'x'],
  ['properties', 'reported', '$version'], ['status'], ['version'], ['deviceId'], ['Tags', 'a'], ['STATUS'], ['tags'],
];

function keyword(random: Random, word: string): string {
  return pick(random, [word, word.toLowerCase(), word[0] + word.slice(1).toLowerCase()]);
}

function randomPath(random: Random): Node {
  const segments = pick(random, PATHS);
  const text = segments.map((s, i) => (i > 0 && random() < 0.15 ? `[[${s}]]` : s)).join('.');
  return { k: 'path', segments, text };
}

function constantText(random: Random, value: Value): string {
  if (value === undefined) return keyword(random, 'UNDEFINED');
  if (value === null) return keyword(random, 'NULL');
  if (typeof value === 'boolean') return keyword(random, value ? 'TRUE' : 'FALSE');
  if (typeof value === 'number') return value < 0 ? `-${-value}` : random() < 0.1 && Number.isInteger(value) ? `0x${value.toString(16)}` : String(value);
  if (typeof value === 'string') {
    return random() < 0.5 ? quoteString(value) : `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
  throw new Error('not a constant');
}

function randomConstant(random: Random): Node {
  const value = random() < 0.05 ? undefined : pick(random, SCALARS) as Value;
  return { k: 'const', value, text: constantText(random, value) };
}

function randomOperand(random: Random, depth: number): Node {
  const roll = random();
  if (depth > 0 && roll < 0.15) {
    return { k: 'arith', op: pick(random, ['+', '-', '*', '/', '%'] as const), l: randomOperand(random, depth - 1), r: randomOperand(random, depth - 1) };
  }
  if (depth > 0 && roll < 0.2) return { k: 'neg', e: randomOperand(random, depth - 1) };
  return roll < 0.65 ? randomPath(random) : randomConstant(random);
}

function randomAtom(random: Random): Node {
  const roll = random();
  if (roll < 0.6) {
    const [op, text] = pick(random, [['=', '='], ['!=', '!='], ['!=', '<>'], ['<', '<'], ['>', '>'], ['<=', '<='], ['>=', '>=']] as const);
    return { k: 'cmp', op, text, l: randomOperand(random, 2), r: randomOperand(random, 1) };
  }
  if (roll < 0.75) {
    const list = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(random, SCALARS) as Value);
    const negate = random() < 0.5;
    const text = `[${list.map((v) => constantText(random, v)).join(', ')}]`;
    return { k: 'in', negate, e: randomOperand(random, 1), list, text };
  }
  if (roll < 0.85) return { k: 'call', name: 'IS_DEFINED', args: [randomPath(random)] };
  if (roll < 0.9) {
    // The validator refuses non-string constants here (type signature), so only strings are generated.
    const prefix = pick(random, ['a', '', 'd1', "it"]);
    return { k: 'call', name: 'STARTSWITH', args: [randomPath(random), { k: 'const', value: prefix, text: constantText(random, prefix) }] };
  }
  if (roll < 0.95) return { k: 'call', name: 'IS_STRING', args: [randomOperand(random, 1)] };
  return random() < 0.5 ? randomPath(random) : randomConstant(random);
}

function randomCondition(random: Random, depth: number): Node {
  if (depth === 0 || random() < 0.35) return randomAtom(random);
  if (random() < 0.2) return { k: 'not', e: randomCondition(random, depth - 1) };
  return { k: 'logic', op: random() < 0.5 ? 'and' : 'or', l: randomCondition(random, depth - 1), r: randomCondition(random, depth - 1) };
}

function render(random: Random, node: Node): string {
  switch (node.k) {
    case 'path': case 'const': return node.text;
    case 'arith': return `(${render(random, node.l)} ${node.op} ${render(random, node.r)})`;
    case 'neg': return `-(${render(random, node.e)})`;
    case 'cmp': return `(${render(random, node.l)} ${node.text} ${render(random, node.r)})`;
    case 'in': return `(${render(random, node.e)} ${keyword(random, node.negate ? 'NIN' : 'IN')} ${node.text})`;
    case 'logic': return `(${render(random, node.l)} ${keyword(random, node.op.toUpperCase())} ${render(random, node.r)})`;
    case 'not': return `${keyword(random, 'NOT')} (${render(random, node.e)})`;
    case 'call': return `${random() < 0.5 ? node.name : node.name.toLowerCase()}(${node.args.map((a) => render(random, a)).join(', ')})`;
  }
}

// ---------- the reference evaluator ----------

const FIELDS = ['deviceId', 'status', 'version', 'tags', 'properties'];

function typeOf(value: Value): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function get(twin: JsonObject, segments: readonly string[]): Value {
  let current: Value = twin;
  segments.forEach((segment, i) => {
    const name = i === 0 ? FIELDS.find((f) => f.toLowerCase() === segment.toLowerCase()) ?? segment : segment;
    current = typeOf(current) === 'object' && Object.hasOwn(current as JsonObject, name) ? (current as JsonObject)[name] : undefined;
  });
  return current;
}

function isComparable(type: string): boolean {
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'null';
}

function compare(op: string, a: Value, b: Value): Value {
  const [ta, tb] = [typeOf(a), typeOf(b)];
  if (ta !== tb || !isComparable(ta)) return undefined;
  if (ta === 'null') return op === '=' ? true : op === '!=' ? false : undefined;
  const [x, y] = [a as string | number | boolean, b as string | number | boolean];
  return { '=': x === y, '!=': x !== y, '<': x < y, '>': x > y, '<=': x <= y, '>=': x >= y }[op];
}

function bool(value: Value): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function evaluate(node: Node, twin: JsonObject): Value {
  switch (node.k) {
    case 'path': return get(twin, node.segments);
    case 'const': return node.value;
    case 'arith': {
      const [a, b] = [evaluate(node.l, twin), evaluate(node.r, twin)];
      if (typeof a !== 'number' || typeof b !== 'number') return undefined;
      const result = { '+': a + b, '-': a - b, '*': a * b, '/': a / b, '%': a % b }[node.op];
      return Number.isFinite(result) ? result : undefined;
    }
    case 'neg': {
      const v = evaluate(node.e, twin);
      return typeof v === 'number' ? -v : undefined;
    }
    case 'cmp': return compare(node.op, evaluate(node.l, twin), evaluate(node.r, twin));
    case 'in': {
      const v = evaluate(node.e, twin);
      if (!isComparable(typeOf(v))) return undefined;
      const found = node.list.some((item) => typeOf(item) === typeOf(v) && item === v);
      return node.negate ? !found : found;
    }
    case 'logic': {
      const [a, b] = [bool(evaluate(node.l, twin)), bool(evaluate(node.r, twin))];
      if (node.op === 'and') return a === false || b === false ? false : a === true && b === true ? true : undefined;
      return a === true || b === true ? true : a === false && b === false ? false : undefined;
    }
    case 'not': {
      const v = bool(evaluate(node.e, twin));
      return v === undefined ? undefined : !v;
    }
    case 'call': {
      const args = node.args.map((a) => evaluate(a, twin));
      if (node.name === 'IS_DEFINED') return args[0] !== undefined;
      if (node.name === 'IS_STRING') return typeof args[0] === 'string';
      const [s, p] = args;
      return typeof s === 'string' && typeof p === 'string' ? s.startsWith(p) : undefined;
    }
  }
}

function referenceGroups(rows: readonly JsonObject[]): JsonObject[] {
  const groups = new Map<string, { value: Value; n: number }>();
  for (const twin of rows) {
    const value = get(twin, ['tags', 'a']);
    const key = `${typeOf(value)}:${JSON.stringify(value) ?? ''}`;
    const group = groups.get(key) ?? { value, n: 0 };
    group.n++;
    groups.set(key, group);
  }
  return [...groups.values()].map((g): JsonObject => (g.value === undefined ? { n: g.n } : { n: g.n, v: g.value }));
}

// ---------- the test ----------

/** Deep equality, with vitest's diff only when the cheap comparison fails (keeps the run fast). */
function same(actual: unknown, expected: unknown, context: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual, context).toEqual(expected);
}

describe('Random WHERE clauses over random twins', () => {
  it(`match the reference evaluator (seed ${SEED}, ${QUERY_COUNT} queries × ${TWIN_COUNT} twins)`, () => {
    const random = createRandom(SEED);
    const twins = randomTwins(random);
    const devices = twins.filter((t) => t['moduleId'] === undefined);
    const modules = twins.filter((t) => t['moduleId'] !== undefined);
    let nonEmpty = 0;
    for (let n = 0; n < QUERY_COUNT; n++) {
      const condition = randomCondition(random, 3);
      const where = render(random, condition);
      const context = `seed=${SEED} query#${n}: WHERE ${where}`;
      const expected = devices.filter((t) => evaluate(condition, t) === true);
      if (expected.length > 0) nonEmpty++;
      const pageSize = pick(random, [3, 7, 50, 1000]);

      const star = runAllPages(compileQuery(`SELECT * FROM devices WHERE ${where}`), twins, pageSize).flatMap((p) => p.items);
      same(star.map((t) => t['deviceId']), expected.map((t) => t['deviceId']), context);

      const projected = runAllPages(compileQuery(`SELECT deviceId, tags.a AS a FROM devices WHERE ${where}`), twins, pageSize).flatMap((p) => p.items);
      same(projected, expected.map((t) => {
        const a = get(t, ['tags', 'a']);
        return a === undefined ? { deviceId: t['deviceId'] } : { deviceId: t['deviceId'], a };
      }), context);

      const count = compileQuery(`SELECT COUNT() AS n FROM devices.modules WHERE ${where}`).run(twins).items;
      same(count, [{ n: modules.filter((t) => evaluate(condition, t) === true).length }], context);

      const grouped = compileQuery(`SELECT tags.a AS v, COUNT() AS n FROM devices WHERE ${where} GROUP BY tags.a`).run(twins, { pageSize: 1000 }).items;
      same(grouped, referenceGroups(expected), context);
    }
    // The generator must produce interesting queries, not only empty results.
    expect(nonEmpty).toBeGreaterThan(QUERY_COUNT / 4);
  });
});
