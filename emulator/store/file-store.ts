import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import { Low } from 'lowdb';

import { AtomicJsonFile } from './atomic-json-file.js';
import { GroupCommit } from './group-commit.js';
import { emptyHubState, SCHEMA_VERSION, type HubState } from '../model/hub-state.js';
import { SnapshotSerializer } from './snapshot-serializer.js';
import type { EmulatorStore, Undo } from './store.js';
import { StoreCorruptError } from './store-corrupt-error.js';

/** Durable store: one lowdb JSON document written atomically with group commit. See `README.md`. */
export class FileStore implements EmulatorStore {
  private readonly db: Low<HubState>;
  private readonly group: GroupCommit;

  constructor(
    private readonly filePath: string,
    options: { fsync?: boolean } = {},
  ) {
    const serializer = new SnapshotSerializer();
    const adapter = new AtomicJsonFile<HubState>(filePath, { fsync: options.fsync ?? true, serialize: (state) => serializer.serialize(state) });
    this.db = new Low<HubState>(adapter, emptyHubState());
    this.group = new GroupCommit(() => this.db.write());
  }

  get failure(): Error | undefined {
    return this.group.failure;
  }

  async open(): Promise<HubState> {
    await mkdir(dirname(this.filePath), { recursive: true });
    await this.db.read();
    assertHubState(this.db.data, this.filePath);
    // Files from before C2D queues existed are valid: they simply have no pending messages.
    this.db.data.c2dQueues ??= {};
    return this.db.data;
  }

  commit(undo: Undo): Promise<void> {
    return this.group.commit(undo);
  }

  async close(): Promise<void> {
    await this.group.idle();
  }
}

function assertHubState(data: unknown, filePath: string): asserts data is HubState {
  const state = data as Partial<HubState> | null;
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new StoreCorruptError(filePath, 'it does not hold a JSON object');
  }
  if (state.schemaVersion !== SCHEMA_VERSION) {
    throw new StoreCorruptError(filePath, `unknown schemaVersion ${JSON.stringify(state.schemaVersion)}`);
  }
  for (const key of ['policies', 'devices', 'sessions'] as const) {
    const value = state[key];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new StoreCorruptError(filePath, `"${key}" is missing or not an object`);
    }
  }
  const queues: unknown = state.c2dQueues;
  if (queues !== undefined && (typeof queues !== 'object' || queues === null || Array.isArray(queues))) {
    throw new StoreCorruptError(filePath, '"c2dQueues" is not an object');
  }
}
