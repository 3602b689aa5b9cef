import { emptyHubState } from '../../emulator/model/hub-state.js';
import { deviceRecord } from './change-fixtures.js';
const state = emptyHubState();
for (let i = 0; i < 100_000; i++) {
  const record = deviceRecord(`device-${String(i).padStart(6, '0')}`, '2026-01-01T00:00:00.000Z');
  state.devices[record.deviceId] = record;
}
for (let r = 0; r < 3; r++) {
let t = performance.now(); const k = Object.keys(state.devices); console.log('keys', (performance.now() - t).toFixed(1), k.length);
t = performance.now(); let n = 0; for (const key in state.devices) n++; console.log('for-in', (performance.now() - t).toFixed(1), n);
t = performance.now(); Object.entries(state.devices); console.log('entries', (performance.now() - t).toFixed(1));
t = performance.now(); const copy: Record<string, unknown> = {}; for (const key of k) copy[key] = state.devices[key]; console.log('copy loop', (performance.now() - t).toFixed(1));
t = performance.now(); ({ ...state.devices }); console.log('spread', (performance.now() - t).toFixed(1));
t = performance.now(); Object.assign({}, state.devices); console.log('assign', (performance.now() - t).toFixed(1));
}
