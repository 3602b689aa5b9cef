/** Top-level maps whose entries are only ever replaced, never changed in place (see `state/apply-change.ts`). */
const CACHED_MAPS: ReadonlySet<string> = new Set(['devices', 'sessions', 'c2dQueues', 'modules', 'twinHistory', 'enrollments', 'enrollmentGroups', 'registrations', 'jobs', 'configurations']);

/** Entries serialised between two yields of `serializeAsync` (keeps each event-loop turn to a few ms). */
const ENTRIES_PER_TURN = 500;

const OPEN = Buffer.from('{');
const CLOSE = Buffer.from('}');
const COMMA = Buffer.from(',');

interface CachedEntry {
  readonly key: string;
  /** `"<key>":<JSON of the value>`, UTF-8. */
  readonly bytes: Buffer;
}

/**
 * Serialises a document (the hub snapshot) to exactly the bytes of `JSON.stringify(document)`, as a list of
 * chunks for one `writev`, re-serialising only the map entries (device records, module maps, queues, sessions,
 * change logs) that were replaced since the last snapshot. The reducer replaces a record instead of mutating it,
 * so an object's identity says whether its cached bytes are still right. With 10k twins a snapshot then costs the
 * changed records instead of a 13 MB stringify (docs/benchmarks.md, benchmark 5). The price is one cached copy of
 * each record's JSON, held in a WeakMap so replaced records are freed.
 */
export class SnapshotSerializer {
  private readonly cache = new WeakMap<object, CachedEntry>();

  /** Serialises in one go. */
  serialize(document: object): Buffer[] {
    const chunks: Buffer[] = [];
    for (const _turn of this.produce(document, chunks)) {
      // Nothing to wait for: a synchronous caller takes all turns at once.
    }
    return chunks;
  }

  /**
   * Serialises in slices, yielding to the event loop between them, so a snapshot of a large hub does not stall
   * requests. The document must not change meanwhile (the store hands a frozen copy).
   */
  async serializeAsync(document: object): Promise<Buffer[]> {
    const chunks: Buffer[] = [];
    for (const _turn of this.produce(document, chunks)) await new Promise<void>((resolve) => setImmediate(resolve));
    return chunks;
  }

  /** Fills `chunks`; yields whenever a slice of entries is done. */
  private *produce(document: object, chunks: Buffer[]): Generator<void> {
    chunks.push(OPEN);
    let first = true;
    for (const [key, value] of Object.entries(document)) {
      const start = chunks.length;
      if (!first) chunks.push(COMMA);
      chunks.push(Buffer.from(`${JSON.stringify(key)}:`));
      if (CACHED_MAPS.has(key) && isPlainMap(value)) {
        yield* this.pushMap(chunks, value);
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
  }

  private *pushMap(chunks: Buffer[], map: Record<string, unknown>): Generator<void> {
    chunks.push(OPEN);
    let first = true;
    let count = 0;
    // Object.keys, not entries: a third of the time on a 100k-key map, and it runs in one event-loop turn.
    for (const key of Object.keys(map)) {
      if (++count % ENTRIES_PER_TURN === 0) yield;
      const bytes = this.entryBytes(key, map[key]);
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
