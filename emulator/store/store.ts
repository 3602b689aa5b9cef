import type { HubState } from './hub-state.js';

/** Undoes one in-memory change; called in reverse order when the write that carried it fails. */
export type Undo = () => void;

/**
 * Persistence for the hub (house-style H10). The in-memory `HubState` returned by `open()` is authoritative while
 * the hub runs; services change it by replacing records and then call `commit(undo)`, which resolves once that
 * change is durable. Concurrent commits share one write (group commit). If a write fails, every change that is
 * not yet durable is rolled back with its undo, in reverse order, and every waiting commit rejects, so memory
 * returns exactly to the last durable state and no client is told an update succeeded that the disk lacks.
 */
export interface EmulatorStore {
  /** Loads persisted state, or a fresh state if there is none. Rejects with StoreCorruptError, never replaces data. */
  open(): Promise<HubState>;
  /** Resolves when the change made just before this call is durable; rejects (after undo) if it cannot be. */
  commit(undo: Undo): Promise<void>;
  /** Last persistence failure, if the store is currently failing writes. */
  readonly failure: Error | undefined;
  /** Waits for pending writes, then releases the store. */
  close(): Promise<void>;
}
