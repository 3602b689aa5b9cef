import { emptyHubState, type HubState } from '../model/hub-state.js';
import type { EmulatorStore, Undo } from './store.js';

/** Non-durable store for tests of the layers above and for `persistence: 'memory'` hubs. */
export class MemoryStore implements EmulatorStore {
  readonly failure: Error | undefined = undefined;

  constructor(private readonly initial: HubState = emptyHubState()) {}

  async open(): Promise<HubState> {
    return this.initial;
  }

  async commit(_undo: Undo): Promise<void> {
    // Nothing to write: the in-memory state is the store.
  }

  async close(): Promise<void> {}
}
