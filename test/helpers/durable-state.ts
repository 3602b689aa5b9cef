import { join } from 'node:path';

import { noopLogger } from '../../emulator/logger.js';
import { emptyHubState, type HubState } from '../../emulator/model/hub-state.js';
import { applyChange, DEFAULT_HISTORY_LIMIT } from '../../emulator/state/apply-change.js';
import { HubSnapshot } from '../../emulator/store/hub-snapshot.js';
import { readJournal } from '../../emulator/store/journal-reader.js';

/**
 * What a hub's data folder holds right now — the snapshot (`hub.json`) plus every journal frame after it, replayed
 * with the hub's reducer — read without writing anything, so a test can look at the disk of a running or killed hub.
 */
export async function readDurableState(dataDir: string, historyLimit = DEFAULT_HISTORY_LIMIT): Promise<HubState> {
  const { state, journalSeq } = await new HubSnapshot(join(dataDir, 'hub.json'), false).load(emptyHubState);
  await readJournal(
    join(dataDir, 'journal'),
    journalSeq,
    (frame) => {
      for (const change of frame.changes) applyChange(state, change, { historyLimit });
    },
    noopLogger,
  );
  return state;
}
