import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { startTestHub } from '../helpers/start-hub.js';

/**
 * Issue 11, defects 6 and 7: a damaged or hand-edited `hub.json` stops the hub at start with a message naming the
 * file and the record, and is never replaced; a symlinked `hub.json` stays a link. See test/reliability/README.md.
 */
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A data folder whose `hub.json` holds one device `d1` (written by a real hub), and that document. */
async function folderWithDevice(): Promise<{ dir: string; doc: Record<string, Record<string, unknown>> }> {
  const hub = await startTestHub();
  dirs.push(hub.dataDir);
  await hub.hub.registry.create({ deviceId: 'd1' });
  await hub.stop();
  const doc = JSON.parse(await readFile(join(hub.dataDir, 'hub.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  return { dir: hub.dataDir, doc };
}

/** Starting on `dir` fails; returns the message. The file must be byte-for-byte what it was. */
async function refusedStart(dir: string): Promise<string> {
  const file = join(dir, 'hub.json');
  const before = await readFile(file).catch(() => undefined);
  const error = await startTestHub({}, dir).then(
    async (hub) => {
      await hub.stop();
      return undefined;
    },
    (caught: unknown) => caught,
  );
  expect(error, 'the hub started').toBeInstanceOf(Error);
  if (before) expect(await readFile(file)).toEqual(before);
  return (error as Error).message;
}

describe('a damaged hub.json stops the hub at start, names the record, and is kept', () => {
  it.each([
    ['a device without authentication', (doc: Record<string, Record<string, unknown>>) => delete (doc.devices?.d1 as Record<string, unknown>).authentication, /devices\.d1\.authentication/],
    ['a device with authentication {}', (doc: Record<string, Record<string, unknown>>) => ((doc.devices?.d1 as Record<string, unknown>).authentication = {}), /devices\.d1\.authentication\.type/],
    ['a null device record', (doc: Record<string, Record<string, unknown>>) => ((doc.devices as Record<string, unknown>).d1 = null), /devices\.d1/],
    ['a C2D queue that is not a list', (doc: Record<string, Record<string, unknown>>) => ((doc.c2dQueues as Record<string, unknown>).d1 = { messageId: 'x' }), /c2dQueues\.d1/],
    ['a session that is not a list', (doc: Record<string, Record<string, unknown>>) => ((doc.sessions as Record<string, unknown>).d1 = {}), /sessions\.d1/],
    ['no policies but devices', (doc: Record<string, Record<string, unknown>>) => (doc.policies = {}), /policies/],
  ])('%s', async (_name, damage, expected) => {
    const { dir, doc } = await folderWithDevice();
    damage(doc);
    await writeFile(join(dir, 'hub.json'), JSON.stringify(doc));
    const message = await refusedStart(dir);
    expect(message).toContain(join(dir, 'hub.json'));
    expect(message).toMatch(expected);
  });

  it('hub.json holding null, 0 or [] is refused, not treated as an empty hub', async () => {
    for (const text of ['null', '0', '[]']) {
      const dir = await mkdtemp(join(tmpdir(), 'twin-hub-'));
      dirs.push(dir);
      await writeFile(join(dir, 'hub.json'), text);
      expect(await refusedStart(dir)).toContain('does not hold a JSON object');
    }
  });

  it('a hub.json that is a directory is refused with the file named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twin-hub-'));
    dirs.push(dir);
    await mkdir(join(dir, 'hub.json'));
    const message = await refusedStart(dir);
    expect(message).toContain(join(dir, 'hub.json'));
    expect(message).toMatch(/EISDIR/);
  });

  it('a fresh folder still gets the default policies', async () => {
    const hub = await startTestHub();
    dirs.push(hub.dataDir);
    expect(hub.hub.policies().map((policy) => policy.keyName)).toContain('iothubowner');
    await hub.stop();
  });

  it('a symlinked hub.json stays a link; writes go to its target', async () => {
    const { dir } = await folderWithDevice();
    const elsewhere = await mkdtemp(join(tmpdir(), 'twin-hub-target-'));
    dirs.push(elsewhere);
    const target = join(elsewhere, 'real-hub.json');
    await writeFile(target, await readFile(join(dir, 'hub.json')));
    await rm(join(dir, 'hub.json'));
    await symlink(target, join(dir, 'hub.json'));
    const hub = await startTestHub({ compactAtBytes: 1 }, dir);
    await hub.hub.registry.create({ deviceId: 'd2' });
    await hub.stop();
    expect(await readlink(join(dir, 'hub.json'))).toBe(target);
    const written = JSON.parse(await readFile(target, 'utf8')) as { devices: Record<string, unknown> };
    expect(Object.keys(written.devices)).toEqual(expect.arrayContaining(['d1', 'd2']));
  });
});
