import { emptyHubState } from '../../emulator/model/hub-state.js';
import { freezeState } from '../../emulator/store/hub-snapshot.js';
import { SnapshotSerializer } from '../../emulator/store/snapshot-serializer.js';
import { deviceRecord } from './change-fixtures.js';

const state = emptyHubState();
for (let i = 0; i < 100_000; i++) {
  const record = deviceRecord(`device-${String(i).padStart(6, '0')}`, '2026-01-01T00:00:00.000Z');
  state.devices[record.deviceId] = { ...record, twin: { ...record.twin, tags: { site: `s${i % 50}`, floor: i % 7 } } };
}
let t = performance.now();
const frozen = freezeState(state);
console.log('freeze', (performance.now() - t).toFixed(1));
t = performance.now();
Object.entries(frozen.devices);
console.log('entries', (performance.now() - t).toFixed(1));
let maxGap = 0; let last = performance.now();
const timer = setInterval(() => { const now = performance.now(); maxGap = Math.max(maxGap, now - last); last = now; }, 1);
const s = new SnapshotSerializer();
t = performance.now();
const chunks = await s.serializeAsync({ ...frozen, journalSeq: 1 });
console.log('serializeAsync cold', (performance.now() - t).toFixed(0), 'maxGap', maxGap.toFixed(0), chunks.length);
maxGap = 0; last = performance.now();
t = performance.now();
await s.serializeAsync({ ...freezeState(state), journalSeq: 2 });
console.log('serializeAsync warm', (performance.now() - t).toFixed(0), 'maxGap', maxGap.toFixed(0));
clearInterval(timer);
