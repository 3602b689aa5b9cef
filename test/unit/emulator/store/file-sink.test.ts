import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FileSink } from '../../../../emulator/store/file-sink.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-sink-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the file sink', () => {
  it('writes one JSON line per record in call order, rotates at the size bound and keeps at most maxFiles', async () => {
    const sink = await FileSink.open({ dir, maxFileBytes: 100, maxFiles: 3 });
    // Each line is 31 bytes: three fit in a 100-byte file, the fourth starts the next file.
    await Promise.all(Array.from({ length: 20 }, (_, n) => sink.write({ n: n + 1000, pad: 'xxxxxxxxxx' })));
    await sink.close();
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['chunk-00000005.jsonl', 'chunk-00000006.jsonl', 'chunk-00000007.jsonl']);
    const lines = (await Promise.all(files.map((file) => readFile(join(dir, file), 'utf8')))).join('').split('\n').filter((line) => line !== '');
    expect(lines.map((line) => (JSON.parse(line) as { n: number }).n)).toEqual([1012, 1013, 1014, 1015, 1016, 1017, 1018, 1019]);
    for (const file of files) expect((await readFile(join(dir, file))).length).toBeLessThanOrEqual(100);
  });

  it('continues after the newest file when reopened, and refuses writes once closed', async () => {
    const first = await FileSink.open({ dir, maxFileBytes: 1000, maxFiles: 5 });
    await first.write({ a: 1 });
    await first.close();
    await expect(first.write({ a: 2 })).rejects.toThrow(/closed/);
    const second = await FileSink.open({ dir, maxFileBytes: 1000, maxFiles: 5 });
    await second.write({ a: 3 });
    await second.close();
    expect((await readdir(dir)).sort()).toEqual(['chunk-00000001.jsonl', 'chunk-00000002.jsonl']);
    expect(await readFile(join(dir, 'chunk-00000002.jsonl'), 'utf8')).toBe('{"a":3}\n');
  });
});
