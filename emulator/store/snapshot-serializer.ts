import type { HubState } from '../model/hub-state.js';

/** The maps of `HubState` whose entries are only ever replaced, never changed in place (see hub-state.ts). */
const CACHED_MAPS: ReadonlySet<string> = new Set(['devices', 'sessions']);

const OPEN = Buffer.from('{');
const CLOSE = Buffer.from('}');
const COMMA = Buffer.from(',');

interface CachedEntry {
  readonly key: string;
  /** `"<key>":<JSON of the value>`, UTF-8. */
  readonly bytes: Buffer;
}

/**
 * Serialises the hub state to exactly the bytes of `JSON.stringify(state)`, as a list of chunks for one `writev`,
 * re-serialising only the device records and session lists that changed since the last write. Services replace a
 * record instead of mutating it (the rollback of a failed commit relies on the same rule), so an object's identity
 * says whether its cached bytes are still right. With 10k twins a write then costs the changed records instead of
 * a 13 MB stringify plus its UTF-8 encoding (profiled in docs/benchmarks.md, benchmark 5). The price is one cached
 * copy of each record's JSON (about its size on disk), held in a WeakMap so replaced records are freed.
 */
export class SnapshotSerializer {
  private readonly cache = new WeakMap<object, CachedEntry>();

  serialize(state: HubState): Buffer[] {
    const chunks: Buffer[] = [OPEN];
    let first = true;
    for (const [key, value] of Object.entries(state)) {
      const start = chunks.length;
      if (!first) chunks.push(COMMA);
      chunks.push(Buffer.from(`${JSON.stringify(key)}:`));
      if (CACHED_MAPS.has(key) && isPlainMap(value)) {
        this.pushMap(chunks, value);
      } else {
        const text = JSON.stringify(value) as string | undefined;
        // JSON.stringify drops properties whose value serialises to undefined; so do we.
        if (text === undefined) {
          chunks.length = start;
          continue;
        }
        chunks.push(Buffer.from(text));
      }
      first = false;
    }
    chunks.push(CLOSE);
    return chunks;
  }

  private pushMap(chunks: Buffer[], map: Record<string, unknown>): void {
    chunks.push(OPEN);
    let first = true;
    for (const [key, value] of Object.entries(map)) {
      const bytes = this.entryBytes(key, value);
      if (bytes === undefined) continue;
      if (!first) chunks.push(COMMA);
      chunks.push(bytes);
      first = false;
    }
    chunks.push(CLOSE);
  }

  private entryBytes(key: string, value: unknown): Buffer | undefined {
    if (typeof value !== 'object' || value === null) {
      const text = JSON.stringify(value) as string | undefined;
      return text === undefined ? undefined : Buffer.from(`${JSON.stringify(key)}:${text}`);
    }
    const cached = this.cache.get(value);
    if (cached && cached.key === key) return cached.bytes;
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) return undefined;
    const bytes = Buffer.from(`${JSON.stringify(key)}:${text}`);
    this.cache.set(value, { key, bytes });
    return bytes;
  }
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}
