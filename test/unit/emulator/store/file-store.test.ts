import { mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FileStore } from '../../../../emulator/store/file-store.js';
import { StoreCorruptError } from '../../../../emulator/store/store-corrupt-error.js';

describe('FileStore', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twin-store-'));
    file = join(dir, 'hub.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts empty, persists committed changes and reads them back', async () => {
    const store = new FileStore(file, { fsync: true });
    const state = await store.open();
    expect(state.devices).toEqual({});
    state.sessions.dev = [{ topic: '$iothub/twin/res/#', qos: 0 }];
    await store.commit(() => undefined);
    await store.close();
    const reopened = await new FileStore(file).open();
    expect(reopened.sessions.dev).toEqual([{ topic: '$iothub/twin/res/#', qos: 0 }]);
  });

  it.each([
    ['half-written JSON', '{"schemaVersion":1,"devices":{"a":'],
    ['an empty file', ''],
    ['JSON of the wrong shape', '[1,2,3]'],
    ['an unknown schema version', '{"schemaVersion":99,"policies":{},"devices":{},"sessions":{}}'],
    ['a missing devices map', '{"schemaVersion":1,"policies":{},"sessions":{}}'],
  ])('refuses to start on %s and leaves the file untouched', async (_name, content) => {
    await writeFile(file, content);
    const error = await new FileStore(file).open().then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect((error as Error).message).toContain(file);
    expect(await readFile(file, 'utf8')).toBe(content);
  });

  it('ignores a temp file left by a crash mid-write and keeps the last complete state', async () => {
    const store = new FileStore(file);
    const state = await store.open();
    state.sessions.kept = [{ topic: 't', qos: 1 }];
    await store.commit(() => undefined);
    await store.close();
    await writeFile(`${file}.tmp`, '{"schemaVersion":1,"devi');
    const reopened = await new FileStore(file).open();
    expect(reopened.sessions.kept).toEqual([{ topic: 't', qos: 1 }]);
  });

  it('rolls a change back, reports 503 while writes fail, and recovers when they work again', async () => {
    // A directory where the temp file must go makes every write fail, even for root (who ignores file modes).
    const store = new FileStore(file);
    const state = await store.open();
    await mkdir(`${file}.tmp`);
    state.sessions.lost = [{ topic: 't', qos: 0 }];
    await expect(store.commit(() => delete state.sessions.lost)).rejects.toMatchObject({ httpStatus: 503 });
    expect(state.sessions.lost).toBeUndefined();
    expect(store.failure).toBeDefined();
    await rmdir(`${file}.tmp`);
    state.sessions.kept = [{ topic: 'k', qos: 0 }];
    await store.commit(() => delete state.sessions.kept);
    expect(store.failure).toBeUndefined();
    expect((await new FileStore(file).open()).sessions).toEqual({ kept: [{ topic: 'k', qos: 0 }] });
  });
});
