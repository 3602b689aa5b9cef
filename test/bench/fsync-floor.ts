import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { summarise, type LatencySummary } from './stats.js';

/**
 * The durability floor of a single device's round trip on this disk: append a journal-frame-sized record (~350
 * bytes) into a preallocated file and fdatasync it, `count` times, one after another (as one device with one patch
 * in flight makes the hub do). A hub that acknowledges only durable patches cannot answer faster than this plus
 * the raw broker's own round trip.
 */
export async function measureFdatasync(dir: string, count = 300): Promise<LatencySummary> {
  const path = join(dir, 'fdatasync-probe.bin');
  const handle = await open(path, 'w+');
  try {
    await handle.write(Buffer.alloc(1 << 20), 0, 1 << 20, 0);
    await handle.datasync();
    const frame = Buffer.alloc(350, 0x61);
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await handle.write(frame, 0, frame.length, i * frame.length);
      await handle.datasync();
      samples.push(performance.now() - start);
    }
    return summarise(samples);
  } finally {
    await handle.close();
    await rm(path, { force: true });
  }
}
