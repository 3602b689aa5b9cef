// Own-key discipline for objects used as dictionaries of outside keys (twin sections, property bags, maps keyed by
// device id). `JSON.parse` itself is safe: it defines own properties, `__proto__` included. What is not safe is what
// code does next with a key it did not choose:
//   - `target[key] = value` with key `__proto__` calls the inherited setter and replaces target's prototype
//     (and `target[key]` then reads Object.prototype, so a recursive merge writes into Object.prototype);
//   - `target[key]` / `key in target` with `constructor`, `toString`, … find inherited members.
// `{...spread}`, `structuredClone`, computed keys in literals and `Object.entries` only see or create own
// properties and are safe. Every dynamic-key read and write of outside data goes through these helpers (std code,
// house-style H2, so the renderer and the rules can use them too).

/**
 * Sets an own, enumerable, writable data property, whatever the key: `__proto__` becomes plain data (as
 * `JSON.parse` makes it), never a prototype change.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** The value of an own property, or undefined (never an inherited member such as `constructor`). */
export function getOwn<T>(source: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(source, key) ? source[key] : undefined;
}

/** True when `key` is an own property of `source` (unlike `key in source`, which sees inherited members). */
export function hasOwnKey(source: object, key: string): boolean {
  return Object.hasOwn(source, key);
}

/** An empty dictionary without a prototype: any key, `__proto__` included, is plain data. */
export function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
