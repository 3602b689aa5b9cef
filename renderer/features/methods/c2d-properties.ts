/** A C2D property line that could not be read. */
export interface PropertyLineError {
  /** 1-based line number. */
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

/** Application properties from `key=value` lines, or the lines that are not `key=value`. */
export type ParsedProperties = { readonly ok: true; readonly properties: Record<string, string> } | { readonly ok: false; readonly errors: readonly PropertyLineError[] };

/**
 * `key=value` lines → application properties. Blank lines are skipped; a line without `=` or with an empty key is
 * an error naming its line, never dropped silently; a key given twice is an error too (the second would win).
 */
export function parseProperties(text: string): ParsedProperties {
  const properties: Record<string, string> = Object.create(null) as Record<string, string>;
  const errors: PropertyLineError[] = [];
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (!trimmed) return;
    const line = index + 1;
    const at = trimmed.indexOf('=');
    if (at < 0) return errors.push({ line, text: trimmed, reason: 'is not key=value (no "=")' });
    const key = trimmed.slice(0, at).trim();
    if (!key) return errors.push({ line, text: trimmed, reason: 'has no key before "="' });
    if (Object.hasOwn(properties, key)) return errors.push({ line, text: trimmed, reason: `sets "${key}" a second time` });
    properties[key] = trimmed.slice(at + 1).trim();
    return undefined;
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, properties: { ...properties } };
}

/** UTF-8 size of a string: what the hub's 64 KB C2D limit counts. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}
