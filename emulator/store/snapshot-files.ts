import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import { AtomicJsonFile } from './atomic-json-file.js';

/**
 * Where saved hub snapshots live (`<dataDir>/snapshots/<name>.json`, one atomic JSON file each), or in memory for
 * a `persistence: 'memory'` hub. Names are checked by the caller (a safe file name alphabet); documents are
 * checked record by record when they are restored, not here.
 */
export interface SnapshotShelf {
  put(name: string, document: object): Promise<void>;
  get(name: string): Promise<unknown>;
  names(): Promise<string[]>;
  remove(name: string): Promise<boolean>;
}

/** The shelf of a file-backed hub. */
export function fileSnapshotShelf(dataDir: string, fsync: boolean): SnapshotShelf {
  const dir = join(dataDir, 'snapshots');
  const file = (name: string) => new AtomicJsonFile<object>(join(dir, `${name}.json`), { fsync });
  return {
    async put(name, document) {
      await mkdir(dir, { recursive: true });
      await file(name).write(document);
    },
    async get(name) {
      return (await file(name).read()) ?? undefined;
    },
    async names() {
      try {
        return (await readdir(dir)).filter((entry) => entry.endsWith('.json')).map((entry) => entry.slice(0, -5)).sort();
      } catch {
        return [];
      }
    },
    async remove(name) {
      try {
        await unlink(join(dir, `${name}.json`));
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** The shelf of an in-memory hub: gone when the process ends. */
export function memorySnapshotShelf(): SnapshotShelf {
  const saved = new Map<string, string>();
  return {
    async put(name, document) {
      saved.set(name, JSON.stringify(document));
    },
    async get(name) {
      const text = saved.get(name);
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    },
    async names() {
      return [...saved.keys()].sort();
    },
    async remove(name) {
      return saved.delete(name);
    },
  };
}
