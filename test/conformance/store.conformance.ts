import { mkdtemp, open, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { IotHubError } from '../../emulator/errors/iothub-error.js';
import type { HubChange } from '../../emulator/model/changes.js';
import type { HubState } from '../../emulator/model/hub-state.js';
import type { JournalFileSystem } from '../../emulator/store/journal-file-system.js';
import type { CommittedBatch, EmulatorStore } from '../../emulator/store/store.js';
import { StoreCorruptError } from '../../emulator/store/store-corrupt-error.js';
import { ChangeMaker, deviceRecord, jsonOf, mixedWorkload } from './change-fixtures.js';
import { FaultySegments, frameSpans, segmentPaths } from './journal-files.js';

/** Knobs a durable backend takes for these tests (a memory backend ignores them). */
export interface StoreTuning {
  readonly compactAtBytes?: number;
  readonly compactOnClose?: boolean;
  readonly fsync?: boolean;
  readonly fileSystem?: JournalFileSystem;
}

/** A backend under test. */
export interface StoreBackend {
  readonly name: string;
  /** Whether the store survives a restart (the durable-only cases run only then). */
  readonly durable: boolean;
  /**
   * Whether it keeps the journal store's files (segments, `hub.json`): the damaged-file, disk-fault and `hub.json`
   * cases run only then (default: `durable`). A backend without them tests its own faults in its own file.
   */
  readonly journalFiles?: boolean;
  /** A store on `dir` (the same dir again means a restart). */
  create(dir: string, tuning?: StoreTuning): EmulatorStore;
}

/** What the cases share: fresh dirs, started stores (closed after each case), and the backend. */
interface Harness {
  readonly backend: StoreBackend;
  /** Skip the case: the backend is not durable. */
  readonly durableOnly: boolean;
  /** The title of a restart/disk case, with the reason it is skipped for a non-durable backend. */
  durable(title: string): string;
  /** Skip the case: the backend keeps no journal files. */
  readonly filesOnly: boolean;
  /** The title of a journal-file case, with the reason it is skipped for a backend without them. */
  files(title: string): string;
  newDir(): Promise<string>;
  start(dir: string, tuning?: StoreTuning): Promise<{ store: EmulatorStore; state: HubState }>;
}

/** The contract every `EmulatorStore` must keep (house-style H10). */
export function runStoreConformance(backend: StoreBackend): void {
  describe(`${backend.name} store conformance`, () => {
    const dirs: string[] = [];
    const open: EmulatorStore[] = [];
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close().catch(() => undefined);
      for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
    });
    const harness: Harness = {
      backend,
      durableOnly: !backend.durable,
      durable: (title) => (backend.durable ? title : `${title} [skipped: ${backend.name} is not durable]`),
      filesOnly: !(backend.journalFiles ?? backend.durable),
      files: (title) => ((backend.journalFiles ?? backend.durable) ? title : `${title} [skipped: ${backend.name} keeps no journal files]`),
      async newDir() {
        const dir = await mkdtemp(join(tmpdir(), 'store-conf-'));
        dirs.push(dir);
        return dir;
      },
      async start(dir, tuning) {
        const store = backend.create(dir, tuning);
        open.push(store);
        return { store, state: await store.open() };
      },
    };
    for (const cases of [contractCases, restartCases, damageCases, diskFaultCases, fileCases]) cases(harness);
  });
}

async function appendAll(store: EmulatorStore, batches: readonly HubChange[][]): Promise<void> {
  for (const batch of batches) await store.append(batch);
}


/** The read-committed contract: apply, order, batching. */
function contractCases({ newDir, start }: Harness): void {
  it('applies appended changes to the committed state it returned from open', async () => {
    const maker = new ChangeMaker();
    const { store, state } = await start(await newDir());
    await store.append([maker.devicePut('d1')]);
    await store.append([maker.reported({ deviceId: 'd1' }, { temperature: 21.5, nested: { ok: true } })]);
    const twin = state.devices.d1?.twin;
    expect(twin?.reported.data).toEqual({ temperature: 21.5, nested: { ok: true } });
    expect(twin?.version).toBe(2);
    expect(state.twinHistory.d1).toHaveLength(1);
    expect(store.stats.changes).toBe(2);
  });

  it('resolves appends in order, only after the reducer ran and onCommitted was called', async () => {
    const maker = new ChangeMaker();
    const { store, state } = await start(await newDir());
    const events: string[] = [];
    store.onCommitted((batch) => events.push(`committed ${batch.changes.length}`));
    const ids = ['a', 'b', 'c'];
    const pending = ids.map((id) => store.append([maker.devicePut(id)]).then(() => events.push(`resolved ${id} ${id in state.devices}`)));
    expect(Object.keys(state.devices)).toEqual([]);
    await Promise.all(pending);
    expect(events).toEqual(['committed 3', 'resolved a true', 'resolved b true', 'resolved c true']);
  });

  it('makes appends of one turn share a batch, in append order', async () => {
    const maker = new ChangeMaker();
    const { store } = await start(await newDir());
    const batches: CommittedBatch[] = [];
    store.onCommitted((batch) => batches.push(batch));
    await store.append([maker.devicePut('d0')]);
    await Promise.all(Array.from({ length: 64 }, (_, i) => store.append([maker.reported({ deviceId: 'd0' }, { n: i })])));
    expect(batches.length).toBeLessThanOrEqual(3);
    const ns = batches.flatMap((batch) => batch.changes).flatMap((change) => (change.kind === 'twinWritten' ? [change.reported?.patch.n] : []));
    expect(ns).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(batches.map((batch) => batch.seq)).toEqual([...batches.keys()].map((i) => (batches[0]?.seq ?? 0) + i));
    expect(store.stats.batches).toBe(batches.length);
  });
}

/** Restarts: replay and compaction (durable stores). */
function restartCases({ durableOnly, durable, filesOnly, newDir, start }: Harness): void {
  it.skipIf(durableOnly)(durable('replays to the live state after a restart, from the journal and from the snapshot'), async () => {
    const dir = await newDir();
    const { store, state } = await start(dir, { compactOnClose: false });
    await appendAll(store, mixedWorkload(new ChangeMaker(), 12, 300));
    const live = jsonOf(state);
    await store.close();
    const fromJournal = await start(dir);
    expect(jsonOf(fromJournal.state)).toEqual(live);
    await fromJournal.store.close();
    const fromSnapshot = await start(dir);
    expect(jsonOf(fromSnapshot.state)).toEqual(live);
    expect(fromSnapshot.state.twinHistory['dev-0/m1']?.length).toBeGreaterThan(0);
    expect(Object.keys(fromSnapshot.state.caCertificates)).toEqual(['root-ca']);
    expect(fromSnapshot.state.caCertificates['root-ca']?.isVerified).toBe(true);
  });

  it.skipIf(durableOnly)(durable('compacts under load without losing a change, and deletes the old segments'), async () => {
    const dir = await newDir();
    const { store, state } = await start(dir, { compactAtBytes: 16 * 1024, compactOnClose: false });
    const maker = new ChangeMaker();
    await appendAll(store, Array.from({ length: 40 }, (_, d) => [maker.devicePut(`dev-${d}`)]));
    for (let wave = 0; wave < 20; wave++) {
      await Promise.all(Array.from({ length: 30 }, (_, i) => store.append([maker.reported({ deviceId: `dev-${(wave + i) % 40}` }, { wave, i, pad: 'p'.repeat(60) })])));
    }
    expect(store.stats.compactions).toBeGreaterThanOrEqual(2);
    const live = jsonOf(state);
    await store.close();
    if (!filesOnly) expect((await segmentPaths(dir)).length).toBeLessThanOrEqual(2);
    const reopened = await start(dir);
    expect(jsonOf(reopened.state)).toEqual(live);
  });
}

/** Damaged data: torn tails are dropped, anything else refuses to start (durable stores). */
function damageCases({ backend, filesOnly: durableOnly, files: durable, newDir, start }: Harness): void {
  it.skipIf(durableOnly)(durable('drops a torn last frame (cut mid-way, or garbage after valid frames) and overwrites it'), async () => {
    for (const damage of ['cut-header', 'cut-payload', 'garbage'] as const) {
      const dir = await newDir();
      const maker = new ChangeMaker();
      const { store, state } = await start(dir, { compactOnClose: false });
      await appendAll(store, mixedWorkload(maker, 3, 8));
      const beforeLast = jsonOf(state);
      await store.append([maker.reported({ deviceId: 'dev-0' }, { last: true })]);
      const live = jsonOf(state);
      await store.close();
      const [segment] = await segmentPaths(dir);
      const last = (await frameSpans(segment ?? '')).at(-1) ?? { offset: 0, bytes: 0 };
      if (damage === 'cut-header') await truncate(segment ?? '', last.offset + 7);
      if (damage === 'cut-payload') await truncate(segment ?? '', last.offset + Math.floor(last.bytes / 2));
      if (damage === 'garbage') await writeGarbage(segment ?? '', last.offset + last.bytes);
      const reopened = await start(dir, { compactOnClose: false });
      expect(jsonOf(reopened.state), damage).toEqual(damage === 'garbage' ? live : beforeLast);
      await reopened.store.append([maker.reported({ deviceId: 'dev-1' }, { after: damage })]);
      const afterLive = jsonOf(reopened.state);
      await reopened.store.close();
      expect(jsonOf((await start(dir)).state), damage).toEqual(afterLive);
    }
  });

  it.skipIf(durableOnly)(durable('refuses to start over a damaged frame followed by valid ones, naming the segment and offset'), async () => {
    const dir = await newDir();
    const { store } = await start(dir, { compactOnClose: false });
    await appendAll(store, mixedWorkload(new ChangeMaker(), 3, 10));
    await store.close();
    const [segment = ''] = await segmentPaths(dir);
    const third = (await frameSpans(segment))[2] ?? { offset: 0, bytes: 0 };
    const bytes = await readFile(segment);
    bytes[third.offset + 20] = (bytes[third.offset + 20] ?? 0) ^ 0x55;
    await writeFile(segment, bytes);
    const error: unknown = await backend.create(dir).open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect((error as Error).message).toContain(segment);
    expect((error as Error).message).toContain(`byte offset ${third.offset}`);
    // Buffer.equals: a deep toEqual over megabytes of preallocated zeros takes minutes.
    expect((await readFile(segment)).equals(bytes)).toBe(true);
  });
}

/** A failing disk: rollback, 503, recovery (durable stores). */
function diskFaultCases({ filesOnly: durableOnly, files: durable, newDir, start }: Harness): void {
  it.skipIf(durableOnly)(durable('on a failed write calls onRollback, rejects with 503, and recovers without a restart'), async () => {
    const dir = await newDir();
    const disk = new FaultySegments();
    const maker = new ChangeMaker();
    const { store, state } = await start(dir, { fileSystem: disk, fsync: true, compactOnClose: false });
    await store.append([maker.devicePut('d1')]);
    const events: string[] = [];
    store.onRollback(() => events.push('rollback'));
    for (const fault of ['failWrites', 'failSyncs'] as const) {
      disk[fault] = true;
      const results = await Promise.allSettled([store.append([maker.reported({ deviceId: 'd1' }, { lost: fault })]), store.append([maker.devicePut(`lost-${fault}`)])]);
      for (const result of results) expect(((result as PromiseRejectedResult).reason as IotHubError).httpStatus).toBe(503);
      expect(events.splice(0)).toEqual(['rollback']);
      expect(store.failure).toBeDefined();
      expect(state.devices[`lost-${fault}`]).toBeUndefined();
      disk[fault] = false;
    }
    await store.append([maker.reported({ deviceId: 'd1' }, { kept: 1 })]);
    expect(store.failure).toBeUndefined();
    expect(state.devices.d1?.twin.reported.data).toEqual({ kept: 1 });
    const live = jsonOf(state);
    await store.close();
    expect(jsonOf((await start(dir)).state)).toEqual(live);
  });

  it.skipIf(durableOnly)(durable('keeps appending on a nearly full disk, where preallocation fails, and after it recovers'), async () => {
    const dir = await newDir();
    const disk = new FaultySegments();
    disk.maxWriteBytes = 4096;
    const maker = new ChangeMaker();
    const { store, state } = await start(dir, { fileSystem: disk, compactOnClose: false });
    await appendAll(store, mixedWorkload(maker, 4, 40));
    expect(store.failure).toBeUndefined();
    // Space again: preallocation resumes after the data written meanwhile, never over it.
    disk.maxWriteBytes = Infinity;
    await appendAll(store, [[maker.reported({ deviceId: 'dev-0' }, { roomAgain: true })], [maker.reported({ deviceId: 'dev-1' }, { roomAgain: true })]]);
    const live = jsonOf(state);
    await store.close();
    expect(jsonOf((await start(dir)).state)).toEqual(live);
  });

  it.skipIf(durableOnly)(durable('does not replay a batch whose sync failed (it was answered 503)'), async () => {
    const dir = await newDir();
    const disk = new FaultySegments();
    const maker = new ChangeMaker();
    const { store, state } = await start(dir, { fileSystem: disk, fsync: true, compactOnClose: false });
    await store.append([maker.devicePut('d1')]);
    const live = jsonOf(state);
    disk.failSyncs = true;
    await expect(store.append([maker.devicePut('ghost')])).rejects.toMatchObject({ httpStatus: 503 });
    disk.failSyncs = false;
    await store.close();
    expect(jsonOf((await start(dir)).state)).toEqual(live);
  });
}

/** hub.json: the schema 1 migration and damaged files (durable stores). */
function fileCases({ backend, filesOnly: durableOnly, files: durable, newDir, start }: Harness): void {
  it.skipIf(durableOnly)(durable('migrates a schema 1 hub.json of the old whole-document store'), async () => {
    const dir = await newDir();
    const v1 = { schemaVersion: 1, policies: { iothubowner: { keyName: 'iothubowner', primaryKey: 'k1', secondaryKey: 'k2', rights: ['RegistryRead'] } }, devices: { d1: deviceRecord('d1', '2025-01-01T00:00:00.000Z') }, sessions: {} };
    await writeFile(join(dir, 'hub.json'), JSON.stringify(v1));
    const { store, state } = await start(dir);
    expect(state).toMatchObject({ schemaVersion: 2, modules: {}, twinHistory: {}, c2dQueues: {} });
    expect(state.devices.d1?.deviceId).toBe('d1');
    await store.append([new ChangeMaker().reported({ deviceId: 'd1' }, { migrated: true })]);
    const live = jsonOf(state);
    await store.close();
    expect(JSON.parse(await readFile(join(dir, 'hub.json'), 'utf8'))).toMatchObject({ schemaVersion: 2 });
    expect(jsonOf((await start(dir)).state)).toEqual(live);
  });

  it.skipIf(durableOnly)(durable('opens a schema 2 hub.json written before CA certificates existed, with an empty list'), async () => {
    const dir = await newDir();
    const before = { schemaVersion: 2, journalSeq: 0, policies: {}, devices: { d1: deviceRecord('d1', '2025-01-01T00:00:00.000Z') }, sessions: {}, c2dQueues: {}, modules: {}, twinHistory: {} };
    await writeFile(join(dir, 'hub.json'), JSON.stringify(before));
    const { state } = await start(dir);
    expect(state.caCertificates).toEqual({});
    expect(state.devices.d1?.deviceId).toBe('d1');
  });

  it.skipIf(durableOnly)(durable('refuses a damaged hub.json, naming it and leaving it untouched'), async () => {
    for (const content of ['null', '{"devices": ', '', '[]', '{"schemaVersion":2,"journalSeq":0,"devices":{}}', '{"schemaVersion":3}']) {
      const dir = await newDir();
      const file = join(dir, 'hub.json');
      await writeFile(file, content);
      const error: unknown = await backend.create(dir).open().catch((e: unknown) => e);
      expect(error, content).toBeInstanceOf(StoreCorruptError);
      expect((error as Error).message).toContain(file);
      expect(await readFile(file, 'utf8')).toBe(content);
      expect(await readdir(dir)).toEqual(['hub.json']);
    }
  });
}


/** Bytes that start like a frame but are none, right after the last valid frame. */
async function writeGarbage(path: string, offset: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(Buffer.from('TWJ1\u00ff\u00ff garbage after the last valid frame'), 0, undefined, offset);
  } finally {
    await handle.close();
  }
}
