import { argumentInvalid, snapshotNotFound } from './errors/catalogue.js';
import { isJsonObject } from './model/json.js';
import type { SnapshotDocument, SnapshotRestoreReport } from './model/snapshot-document.js';
import type { SnapshotService } from './services/snapshot-service.js';
import { stateProblem } from './store/record-schema.js';
import type { SnapshotShelf } from './store/snapshot-files.js';

/** A saved snapshot as listed. */
export interface SnapshotInfo {
  readonly name: string;
  readonly takenAt: string;
  readonly devices: number;
}

/** Snapshot names: a safe file name (letters, digits, space, `.`, `_`, `-`; not starting with `.`), 1–64 characters. */
const NAME = /^[A-Za-z0-9 _-][A-Za-z0-9 ._-]{0,63}$/;

/**
 * Hub snapshots as the front door offers them (`emulator.snapshots`): save the hub's devices, modules, twins, C2D
 * queues and twin change logs under a name, list, restore, delete; or capture / restore a document directly
 * (export and import). Saved files live in `<dataDir>/snapshots/` (in memory for a memory hub). One operation at a
 * time: a restore never interleaves with a save.
 */
export class SnapshotsApi {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly service: SnapshotService,
    private readonly shelf: SnapshotShelf,
  ) {}

  /** Saves the committed hub under `name` (replacing a snapshot of that name). */
  async save(name: string): Promise<SnapshotInfo> {
    checkName(name);
    return this.serial(async () => {
      const document = this.service.capture(name);
      await this.shelf.put(name, document);
      return infoOf(document);
    });
  }

  /** The saved snapshots, by name. */
  async list(): Promise<SnapshotInfo[]> {
    const infos: SnapshotInfo[] = [];
    for (const name of await this.shelf.names()) {
      const document = await this.shelf.get(name).catch(() => undefined);
      if (isJsonObject(document) && typeof document.takenAt === 'string' && isJsonObject(document.devices)) {
        infos.push({ name, takenAt: document.takenAt, devices: Object.keys(document.devices).length });
      }
    }
    return infos;
  }

  /** Restores the snapshot saved as `name` (404 when there is none). */
  async restore(name: string): Promise<SnapshotRestoreReport> {
    checkName(name);
    return this.serial(async () => {
      const document = await this.shelf.get(name);
      if (document === undefined) throw snapshotNotFound(name);
      return this.service.restore(checkDocument(document));
    });
  }

  /** Deletes a saved snapshot; false when there was none. */
  async remove(name: string): Promise<boolean> {
    checkName(name);
    return this.serial(() => this.shelf.remove(name));
  }

  /** The hub as a snapshot document, without saving it (export). */
  capture(name = 'export'): SnapshotDocument {
    return this.service.capture(name);
  }

  /** Restores a snapshot document from outside (import); every record is checked first (400 naming the field). */
  async restoreDocument(document: unknown): Promise<SnapshotRestoreReport> {
    const checked = checkDocument(document);
    return this.serial(() => this.service.restore(checked));
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw argumentInvalid('A snapshot name is 1-64 letters, digits, spaces, dots, underscores or hyphens and does not start with a dot.');
  }
}

/** Checks a document with the store's own record schemas (as `hub.json` is checked at open). */
export function checkDocument(value: unknown): SnapshotDocument {
  if (!isJsonObject(value) || value.format !== 'twin-studio-snapshot' || value.version !== 1) {
    throw argumentInvalid("Not a hub snapshot: expected {format: 'twin-studio-snapshot', version: 1, …}.");
  }
  if (typeof value.name !== 'string' || typeof value.takenAt !== 'string') throw argumentInvalid('A hub snapshot needs a name and takenAt.');
  const maps = { devices: value.devices, modules: value.modules, c2dQueues: value.c2dQueues, twinHistory: value.twinHistory };
  for (const [key, map] of Object.entries(maps)) if (!isJsonObject(map)) throw argumentInvalid(`A hub snapshot's ${key} must be an object.`);
  const empty = {};
  const problem = stateProblem({
    policies: empty, sessions: empty, caCertificates: empty, consumerGroups: empty, dpsInstances: empty, enrollments: empty,
    enrollmentGroups: empty, registrations: empty, jobs: empty, configurations: empty, routing: empty,
    ...(maps as Record<keyof typeof maps, Record<string, unknown>>),
  });
  if (problem) throw argumentInvalid(`The hub snapshot has a damaged record: ${problem}`);
  for (const deviceId of Object.keys(maps.modules as object)) {
    if (!Object.hasOwn(maps.devices as object, deviceId)) throw argumentInvalid(`The hub snapshot has modules of a device it lacks: '${deviceId}'.`);
  }
  return value as unknown as SnapshotDocument;
}

function infoOf(document: SnapshotDocument): SnapshotInfo {
  return { name: document.name, takenAt: document.takenAt, devices: Object.keys(document.devices).length };
}
