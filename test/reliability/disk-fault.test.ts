import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';

import type { Logger } from '../../emulator/index.js';
import { connectRaw, twinRequest } from '../helpers/raw-mqtt.js';
import { rest } from '../helpers/rest-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { canMountTmpfs, tempPathIsDirectory, tmpfsDiskFull, tmpfsReadOnly, type DiskFault } from './support/disk-fault.js';

/**
 * Disk full / read-only data dir (issue 7). The faults are real kernel errors, never mocks: a small tmpfs filled to
 * the last page (ENOSPC) or remounted read-only (EROFS) where mount is allowed (root with CAP_SYS_ADMIN); and, on
 * every machine, a directory in place of the store's temp file (EISDIR at open(), the first write step). While the
 * fault lasts the hub must refuse writes with 503 in its own formats, keep every read working (also for devices that
 * connect during the fault), leave the data file parseable with the last acknowledged state, and write again once
 * the fault is gone.
 */
const MOUNT = canMountTmpfs();
type FaultCase = [name: string, errno: string, make: () => Promise<DiskFault>];
const MOUNTED: FaultCase[] = [
  ['a full tmpfs', 'ENOSPC', tmpfsDiskFull],
  ['a read-only remount', 'EROFS', tmpfsReadOnly],
];
const FAULTS: FaultCase[] = [...(MOUNT ? MOUNTED : []), ['a directory in place of hub.json.tmp', 'EISDIR', tempPathIsDirectory]];

interface Reported {
  reported: Record<string, unknown>;
  desired: Record<string, unknown>;
}

describe(`the hub when its data dir stops taking writes (tmpfs mount ${MOUNT ? 'allowed' : 'NOT allowed here: EISDIR fallback only'})`, () => {
  let fault: DiskFault | undefined;
  let hub: TestHub | undefined;
  const clients: MqttClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.end(true);
    await hub?.stop();
    await fault?.heal().catch(() => undefined);
    await fault?.dispose();
    hub = undefined;
    fault = undefined;
  });

  it.each(FAULTS)('with %s (%s): 503 on writes, reads served, file intact, recovery', async (_name, code, make) => {
    fault = await make();
    const errors: string[] = [];
    const logger: Logger = { error: (message) => errors.push(message), warn() {}, info() {}, debug() {} };
    hub = await startTestHub({ logger, ports: { https: 0 } }, fault.dir);
    const { hub: emulator } = hub;
    await emulator.registry.create({ deviceId: 'disk' });
    await emulator.registry.create({ deviceId: 'late' });
    const device = await connectRaw(emulator, 'disk');
    clients.push(device);
    await device.subscribeAsync('$iothub/twin/res/#');
    expect((await twinRequest(device, '$iothub/twin/PATCH/properties/reported/?$rid=1', '{"a":1}', '1')).topic).toMatch(/^\$iothub\/twin\/res\/204\//);

    await fault.inject();

    // Writes: MQTT reported PATCH → res/503 with the hub's JSON body; REST PATCH → 503 envelope + header.
    const refused = await twinRequest(device, '$iothub/twin/PATCH/properties/reported/?$rid=2', '{"a":2}', '2');
    expect(refused.topic).toBe('$iothub/twin/res/503/?$rid=2');
    const body = JSON.parse(refused.payload) as { errorCode: number; message: string };
    expect(body.errorCode).toBe(503001);
    expect(body.message).toContain(code);
    const restRefused = await rest(emulator, { method: 'PATCH', path: '/twins/disk', body: { properties: { desired: { d: 2 } } } });
    expect(restRefused.status).toBe(503);
    expect(restRefused.headers['iothub-errorcode']).toBe('ServiceUnavailable');
    expect(restRefused.json<{ Message: string }>().Message).toMatch(new RegExp(`^ErrorCode:ServiceUnavailable;.*${code}`));
    // The operator sees why in the log.
    expect(errors.some((line) => line.includes(code))).toBe(true);

    // Reads keep working and show the last durable state (the refused changes were rolled back).
    const get = await twinRequest(device, '$iothub/twin/GET/?$rid=3', '', '3');
    expect(get.topic).toBe('$iothub/twin/res/200/?$rid=3');
    expect((JSON.parse(get.payload) as Reported).reported).toMatchObject({ a: 1, $version: 2 });
    const restGet = await rest(emulator, { method: 'GET', path: '/twins/disk' });
    expect(restGet.status).toBe(200);
    expect(restGet.json<{ properties: Reported }>().properties.desired).not.toHaveProperty('d');
    // A device connecting now can still subscribe (its session is kept in memory) and read its twin.
    const late = await connectRaw(emulator, 'late');
    clients.push(late);
    await late.subscribeAsync('$iothub/twin/res/#');
    expect((await twinRequest(late, '$iothub/twin/GET/?$rid=4', '', '4')).topic).toBe('$iothub/twin/res/200/?$rid=4');
    // The data file still parses and holds the last acknowledged state.
    const onDisk = JSON.parse(await readFile(join(fault.dir, 'hub.json'), 'utf8')) as { devices: Record<string, { twin: { reported: { data: unknown } } }> };
    expect(onDisk.devices.disk?.twin.reported.data).toEqual({ a: 1 });

    await fault.heal();

    expect((await twinRequest(device, '$iothub/twin/PATCH/properties/reported/?$rid=5', '{"a":5}', '5')).topic).toBe('$iothub/twin/res/204/?$rid=5&$version=3');
    expect((await rest(emulator, { method: 'PATCH', path: '/twins/disk', body: { properties: { desired: { d: 5 } } } })).status).toBe(200);
    const healed = JSON.parse(await readFile(join(fault.dir, 'hub.json'), 'utf8')) as {
      devices: Record<string, { twin: { reported: { data: unknown }; desired: { data: unknown } } }>;
      sessions: Record<string, unknown>;
    };
    expect(healed.devices.disk?.twin.reported.data).toEqual({ a: 5 });
    expect(healed.devices.disk?.twin.desired.data).toEqual({ d: 5 });
    // The subscription made during the fault rode on the first successful write.
    expect(healed.sessions.late).toEqual([{ topic: '$iothub/twin/res/#', qos: 0 }]);
  });
});
