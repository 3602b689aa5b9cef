import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { emptyHubState } from '../../emulator/model/hub-state.js';
import { encodeFrame } from '../../emulator/store/frame-codec.js';
import { JournalStore } from '../../emulator/store/journal-store.js';
import { ChangeMaker, deviceRecord, reduce } from './change-fixtures.js';

const maker = new ChangeMaker();
maker.devicePut('dev-0');
const patch = { temperature: 21.5, humidity: 40.25, status: 'ok', firmware: '1.2.3', counter: 12345 };
const change = maker.reported({ deviceId: 'dev-0' }, patch);
console.log('patch bytes', JSON.stringify(patch).length, 'change JSON', JSON.stringify(change).length, 'frame', encodeFrame({ seq: 123456, changes: [change] }).length);

async function throughput(writers: number, total: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'measure-'));
  const store = new JournalStore({ dataDir: dir, reduce, fsync: true, compactOnClose: false });
  await store.open();
  const m = new ChangeMaker();
  await store.append(Array.from({ length: 64 }, (_, i) => m.devicePut(`dev-${i}`)));
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    while (next++ < total) await store.append([m.reported({ deviceId: `dev-${w}` }, patch)]);
  }));
  const ms = performance.now() - start;
  const s = store.stats;
  console.log(`writers=${writers}: ${(total / ms * 1000).toFixed(0)} appends/s, ${s.batches} batches, ${(s.journalBytes / s.changes).toFixed(0)} B/change`);
  await store.close();
  await rm(dir, { recursive: true, force: true });
}

async function openTime(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'measure-'));
  const state = emptyHubState();
  const m = new ChangeMaker();
  for (let i = 0; i < 100_000; i++) {
    const record = deviceRecord(`device-${String(i).padStart(6, '0')}`, '2026-01-01T00:00:00.000Z');
    state.devices[record.deviceId] = { ...record, twin: { ...record.twin, tags: { site: `s${i % 50}`, floor: i % 7 }, reported: { ...record.twin.reported, data: { temperature: 20 + (i % 10), fw: '1.0.0' } } } };
  }
  void m;
  const file = join(dir, 'hub.json');
  await writeFile(file, JSON.stringify({ ...state, journalSeq: 0 }));
  const size = (await readFile(file)).length;
  let t = 0;
  let plain = Infinity;
  let opened = Infinity;
  let store = new JournalStore({ dataDir: dir, reduce, fsync: true });
  for (let round = 0; round < 3; round++) {
    t = performance.now();
    JSON.parse(await readFile(file, 'utf8'));
    plain = Math.min(plain, performance.now() - t);
    t = performance.now();
    store = new JournalStore({ dataDir: dir, reduce, fsync: true });
    await store.open();
    opened = Math.min(opened, performance.now() - t);
  }
  t = performance.now();
  const frozenStart = performance.now();
  await store.append([maker.devicePut('x')]);
  void frozenStart;
  console.log(`100k devices snapshot ${(size / 1e6).toFixed(1)} MB: readFile+JSON.parse ${plain.toFixed(0)} ms, JournalStore.open ${opened.toFixed(0)} ms`);
  // Compaction of this state: first snapshot (cold serializer cache) and the longest event-loop stall meanwhile.
  let maxGap = 0;
  let last = performance.now();
  const timer = setInterval(() => { const now = performance.now(); maxGap = Math.max(maxGap, now - last); last = now; }, 1);
  t = performance.now();
  await store.close();
  clearInterval(timer);
  console.log(`close with compaction (100k devices, cold cache): ${(performance.now() - t).toFixed(0)} ms, longest event-loop gap ${maxGap.toFixed(0)} ms`);
  await rm(dir, { recursive: true, force: true });
}

{
  const { open } = await import('node:fs/promises');
  const dir = await mkdtemp(join(tmpdir(), 'measure-'));
  const h = await open(join(dir, 'f'), 'w+');
  await h.write(Buffer.alloc(4 << 20), 0, 4 << 20, 0);
  await h.sync();
  const frame = Buffer.alloc(345, 1);
  let t = performance.now();
  for (let i = 0; i < 1000; i++) { await h.write(frame, 0, frame.length, i * 345); await h.datasync(); }
  console.log(`raw pwrite+fdatasync into preallocated: ${((performance.now() - t) / 1000 * 1000).toFixed(0)} µs`);
  t = performance.now();
  for (let i = 0; i < 1000; i++) { await h.write(frame, 0, frame.length, (4 << 20) + i * 345); await h.datasync(); }
  console.log(`raw pwrite+fdatasync growing: ${((performance.now() - t) / 1000 * 1000).toFixed(0)} µs`);
  await h.close();
  await rm(dir, { recursive: true, force: true });
}
await throughput(1, 2000);
await throughput(64, 20000);
await openTime();
