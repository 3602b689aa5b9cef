import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { HubEventInput } from '../../../../emulator/model/hub-event.js';
import { EventLog } from '../../../../emulator/store/event-log.js';
import { StoreCorruptError } from '../../../../emulator/store/store-corrupt-error.js';

// The built-in endpoint's append-only event log (store/event-log.ts) on a real folder: placement, reopen, torn tail,
// corrupt middle, retention by time and size, and the partition count fixed at creation.

let dir: string;
let now = Date.UTC(2026, 0, 1);
const clock = { now: () => new Date(now) };

function input(partition: number, text: string, at = now): HubEventInput {
  return { partition, enqueuedTime: at, body: Buffer.from(text).toString('base64'), properties: {}, annotations: {}, application: {} };
}

function open(options: Partial<Parameters<typeof EventLog.open>[0]> = {}): Promise<EventLog> {
  return EventLog.open({ dir, partitions: 2, retentionMs: 3_600_000, maxBytesPerPartition: 1024 * 1024, fsync: true, clock, ...options });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'event-log-'));
  now = Date.UTC(2026, 0, 1);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the event log', () => {
  it('numbers events per partition, makes offsets increase, and reopens with the same events and numbering', async () => {
    const log = await open();
    const placed = await log.append([input(0, 'a'), input(1, 'b'), input(0, 'c')]);
    expect(placed.map((event) => [event.partition, event.sequenceNumber])).toEqual([[0, 0], [1, 0], [0, 1]]);
    expect(Number(placed[2]?.offset)).toBeGreaterThan(Number(placed[0]?.offset));
    await log.close();
    const again = await open();
    expect(again.events(0).map((event) => Buffer.from(event.body, 'base64').toString())).toEqual(['a', 'c']);
    expect((await again.append([input(0, 'd')]))[0]?.sequenceNumber).toBe(2);
    expect(again.state(0)).toMatchObject({ beginSequenceNumber: 0, lastSequenceNumber: 2, empty: false });
    await again.close();
  });

  it('drops a torn last record and refuses a corrupt middle, naming the file and offset', async () => {
    const log = await open();
    await log.append([input(0, 'first'), input(0, 'second')]);
    await log.close();
    const file = join(dir, 'partition-0.log');
    await appendFile(file, Buffer.from('TWE1\x40\x00\x00\x00partial'));
    const torn = await open();
    expect(torn.events(0)).toHaveLength(2);
    await torn.close();
    const data = await readFile(file);
    data[20] = (data[20] ?? 0) ^ 0xff;
    await writeFile(file, data);
    await expect(open()).rejects.toBeInstanceOf(StoreCorruptError);
    await expect(open()).rejects.toThrow(/partition-0\.log.*at byte 0/);
  });

  it('drops events past the retention time and beyond the size bound', async () => {
    const log = await open({ maxBytesPerPartition: 1024 * 1024 });
    await log.append([input(0, 'old', now)]);
    now += 2 * 3_600_000;
    await log.append([input(0, 'new', now)]);
    log.applyRetention();
    expect(log.events(0).map((event) => Buffer.from(event.body, 'base64').toString())).toEqual(['new']);
    expect(log.state(0).beginSequenceNumber).toBe(1);
    await log.close();
    const small = await open({ maxBytesPerPartition: 400 });
    await small.append(['x', 'y', 'z'].map((text) => input(1, text.repeat(150))));
    small.applyRetention();
    expect(small.events(1).map((event) => Buffer.from(event.body, 'base64').toString()[0])).toEqual(['z']);
    await small.close();
  });

  it('rewrites a shrunk partition file between appends while appends keep streaming (no deadlock)', async () => {
    const log = await open({ maxBytesPerPartition: 2000 });
    const file = join(dir, 'partition-0.log');
    let stop = false;
    let appended = 0;
    const stream = (async () => {
      while (!stop) {
        await log.append([input(0, 'e'.repeat(100))]);
        appended += 1;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = appended;
    log.applyRetention();
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop = true;
    await stream;
    expect(appended).toBeGreaterThan(before + 5);
    log.applyRetention();
    await log.close();
    const size = (await readFile(file)).length;
    expect(size).toBeLessThan(4000);
    const reopened = await open({ maxBytesPerPartition: 2000 });
    const kept = reopened.events(0);
    expect(kept.at(-1)?.sequenceNumber).toBe(appended - 1);
    expect(kept.map((event) => event.sequenceNumber)).toEqual(kept.map((_, index) => (kept[0]?.sequenceNumber ?? 0) + index));
    await reopened.close();
  });

  it('keeps the partition count it was created with', async () => {
    await (await open({ partitions: 2 })).close();
    const reopened = await open({ partitions: 8 });
    expect(reopened.partitionCount).toBe(2);
    await reopened.close();
  });
});
