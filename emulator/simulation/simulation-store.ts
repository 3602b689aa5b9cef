import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { Low } from 'lowdb';

import { AtomicJsonFile, StoreCorruptError } from '../client-kit.js';
import { withFileLock } from './file-lock.js';
import { setOwn } from '../util/own-keys.js';

/** What the user asked a simulated device to do; survives restarts. */
export type RunState = 'running' | 'paused' | 'stopped';

/** One simulated device as persisted. */
export interface SimulationRecord {
  readonly deviceId: string;
  /** Key into `profiles`. */
  readonly profileKey: string;
  readonly runState: RunState;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** `<dataDir>/simulations.json` */
export interface SimulationsDocument {
  schemaVersion: 1;
  /** +1 on every write; the host reports which revision it has applied. */
  revision: number;
  /**
   * Profile JSON as given, by `<name>-<content hash>`: a copy, so a simulation keeps its behaviour even if a built-in
   * profile changes later, and stored once however many devices use it.
   */
  profiles: Record<string, unknown>;
  simulations: Record<string, SimulationRecord>;
}

/** File name of the persisted set of simulations. */
export const SIMULATIONS_FILE = 'simulations.json';

/**
 * The persisted set of simulated devices, shared by the process hosting them and the `sim` CLI: reads need no lock
 * (writes are atomic renames), writes are read-modify-write under a lock file and within one process in order.
 */
export class SimulationStore {
  readonly filePath: string;
  private readonly db: Low<SimulationsDocument>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dataDir: string,
    options: { fsync?: boolean } = {},
  ) {
    this.filePath = join(dataDir, SIMULATIONS_FILE);
    this.db = new Low(new AtomicJsonFile<SimulationsDocument>(this.filePath, { fsync: options.fsync ?? true }), emptyDocument());
  }

  /** The current document (an empty one when the file does not exist yet). */
  async read(): Promise<SimulationsDocument> {
    await this.db.read();
    return checkDocument(this.db.data, this.filePath);
  }

  /**
   * Applies `change` to the freshest document under the lock, bumps the revision and writes atomically. Returns the
   * written document and what `change` returned. If `change` throws, nothing is written.
   */
  update<T>(change: (document: SimulationsDocument) => T): Promise<{ document: SimulationsDocument; result: T }> {
    const next = this.queue.then(() =>
      withFileLock(`${this.filePath}.lock`, async () => {
        await mkdir(this.dataDir, { recursive: true });
        const document = structuredClone(await this.read());
        const result = change(document);
        pruneProfiles(document);
        document.revision += 1;
        this.db.data = document;
        await this.db.write();
        return { document, result };
      }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Stores a profile's JSON in the document (once per distinct content) and returns its key. */
export function putProfile(document: SimulationsDocument, name: string, profile: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(profile)).digest('hex').slice(0, 12);
  const key = `${name}-${hash}`;
  setOwn(document.profiles, key, profile);
  return key;
}

function pruneProfiles(document: SimulationsDocument): void {
  const used = new Set(Object.values(document.simulations).map((record) => record.profileKey));
  for (const key of Object.keys(document.profiles)) if (!used.has(key)) delete document.profiles[key];
}

function emptyDocument(): SimulationsDocument {
  return { schemaVersion: 1, revision: 0, profiles: {}, simulations: {} };
}

function checkDocument(data: unknown, filePath: string): SimulationsDocument {
  const document = data as Partial<SimulationsDocument> | null;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new StoreCorruptError(filePath, 'it does not hold a JSON object');
  }
  if (document.schemaVersion !== 1) throw new StoreCorruptError(filePath, `unknown schemaVersion ${JSON.stringify(document.schemaVersion)}`);
  if (typeof document.revision !== 'number') throw new StoreCorruptError(filePath, '"revision" is missing');
  if (typeof document.profiles !== 'object' || document.profiles === null || Array.isArray(document.profiles)) {
    throw new StoreCorruptError(filePath, '"profiles" is missing or not an object');
  }
  if (typeof document.simulations !== 'object' || document.simulations === null || Array.isArray(document.simulations)) {
    throw new StoreCorruptError(filePath, '"simulations" is missing or not an object');
  }
  return document as SimulationsDocument;
}
