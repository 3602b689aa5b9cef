/**
 * Property-path getters, compiled once per path. `tags`, `properties.desired` and `properties.reported` are read
 * through property accesses written out in `readRoot`, so those reads stay fast however many different queries
 * the process runs; the user-defined keys below them are read by name through closures unrolled by depth.
 * A missing step, or a step into a non-object, gives undefined.
 */
import type { JsonObject } from '../model/json.js';
import { canonicalPath } from './twin-paths.js';
import type { Value } from './values.js';

/** Reads one value from a twin. */
export type Getter = (twin: JsonObject) => Value;

/** How a path's first step is read: a written-out access for the twin's fixed structure, else by name. */
export const ROOT_TAGS = 0;
export const ROOT_REPORTED = 1;
export const ROOT_DESIRED = 2;
export const ROOT_FIELD = 3;

/** A path split into its root access and the user keys below it. */
export interface PathPlan {
  readonly root: number;
  /** The top-level name, for ROOT_FIELD. */
  readonly field: string;
  readonly rest: readonly string[];
}

/**
 * Reads the root of a path. A plain function, not a closure, so every compiled query calls the same target
 * and the JIT can inline it into each of them.
 */
export function readRoot(t: JsonObject, root: number, field: string): Value {
  switch (root) {
    case ROOT_TAGS: return t.tags;
    case ROOT_REPORTED: {
      const p = t.properties;
      return typeof p === 'object' && p !== null ? (p as JsonObject).reported : undefined;
    }
    case ROOT_DESIRED: {
      const p = t.properties;
      return typeof p === 'object' && p !== null ? (p as JsonObject).desired : undefined;
    }
    default: return t[field];
  }
}

/**
 * Plans a path (fixed twin names in canonical case). Undefined when the path needs the slower own-property
 * walk (see needsOwnPropertyCheck).
 */
export function planPath(segments: readonly string[]): PathPlan | undefined {
  const path = canonicalPath(segments);
  if (path.some(needsOwnPropertyCheck)) return undefined;
  const [first = '', second] = path;
  if (first === 'tags') return { root: ROOT_TAGS, field: first, rest: path.slice(1) };
  if (first === 'properties' && second === 'reported') return { root: ROOT_REPORTED, field: first, rest: path.slice(2) };
  if (first === 'properties' && second === 'desired') return { root: ROOT_DESIRED, field: first, rest: path.slice(2) };
  return { root: ROOT_FIELD, field: first, rest: path.slice(1) };
}

/** Compiles a property path into a getter; the twin's fixed field names are matched case-insensitively. */
export function compileGetter(segments: readonly string[]): Getter {
  const plan = planPath(segments);
  if (!plan) return safeGetter(canonicalPath(segments));
  const { root, field, rest } = plan;
  const [a = '', b = '', c = ''] = rest;
  switch (rest.length) {
    case 0: return (t) => readRoot(t, root, field);
    case 1: return (t) => {
      const x = readRoot(t, root, field);
      return typeof x === 'object' && x !== null ? (x as JsonObject)[a] : undefined;
    };
    case 2: return (t) => {
      const x = readRoot(t, root, field);
      if (typeof x !== 'object' || x === null) return undefined;
      const y = (x as JsonObject)[a];
      return typeof y === 'object' && y !== null ? (y as JsonObject)[b] : undefined;
    };
    case 3: return (t) => {
      const x = readRoot(t, root, field);
      if (typeof x !== 'object' || x === null) return undefined;
      const y = (x as JsonObject)[a];
      if (typeof y !== 'object' || y === null) return undefined;
      const z = (y as JsonObject)[b];
      return typeof z === 'object' && z !== null ? (z as JsonObject)[c] : undefined;
    };
    default: return (t) => {
      let current = readRoot(t, root, field);
      for (const segment of rest) {
        if (typeof current !== 'object' || current === null) return undefined;
        current = (current as JsonObject)[segment];
      }
      return current;
    };
  }
}

/**
 * Names for which a plain `obj[name]` could reach something that is not twin data: inherited members
 * (`constructor`, `__proto__`, `toString`), array members (`length`) and array indices. Those paths walk
 * own properties of plain objects only.
 */
function needsOwnPropertyCheck(name: string): boolean {
  return name in Object.prototype || name in Array.prototype || /^\d+$/.test(name);
}

function safeGetter(path: readonly string[]): Getter {
  return (t) => {
    let current: Value = t;
    for (const segment of path) {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      if (!Object.hasOwn(current, segment)) return undefined;
      current = current[segment];
    }
    return current;
  };
}
