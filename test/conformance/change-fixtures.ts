import type { HubChange } from '../../emulator/model/changes.js';
import type { DeviceRecord } from '../../emulator/model/device.js';
import type { HubState, ModuleRecord } from '../../emulator/model/hub-state.js';
import type { JsonObject } from '../../emulator/model/json.js';
import type { TwinAddress } from '../../emulator/model/twin-address.js';
import { twinKey } from '../../emulator/model/twin-address.js';
import type { TwinState } from '../../emulator/model/twin.js';
import { applyChange } from '../../emulator/state/apply-change.js';
import type { Reducer } from '../../emulator/store/store.js';
import { freshSection } from '../../emulator/twin/merge-section.js';

/** The hub's reducer with a short change log, as the stores under test get it. */
export const reduce: Reducer = (state, change) => applyChange(state, change, { historyLimit: 8 });

/** A plain-JSON copy of a state, for deep comparison (what a reload must reproduce). */
export function jsonOf(state: HubState): unknown {
  return JSON.parse(JSON.stringify(state));
}

const AUTH = {
  type: 'sas',
  symmetricKey: { primaryKey: 'cHJpbWFyeS1rZXktb2YtdGhlLWRldmljZQ==', secondaryKey: 'c2Vjb25kYXJ5LWtleS1vZi10aGUtZGV2aWNl' },
  x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null },
} as const;

function freshTwin(time: string): TwinState {
  return { tags: {}, desired: freshSection(time, true), reported: freshSection(time, false), version: 1, modelId: '' };
}

/** A new device record with a fresh twin, as the registry creates it. */
export function deviceRecord(deviceId: string, time: string): DeviceRecord {
  return {
    deviceId,
    generationId: `gen-${deviceId}`,
    identityVersion: 1,
    status: 'enabled',
    statusReason: null,
    statusUpdatedTime: time,
    connectionStateUpdatedTime: time,
    lastActivityTime: time,
    authentication: AUTH,
    capabilities: { iotEdge: false },
    twin: freshTwin(time),
  };
}

interface Versions {
  version: number;
  desired: number;
  reported: number;
}

/**
 * Makes realistic change records, keeping the twin versions a service would put into them (twin `version` and
 * section `$version`s after each write), with a deterministic clock.
 */
export class ChangeMaker {
  private readonly versions = new Map<string, Versions>();
  private tick = 0;

  /** The next request time (one millisecond per change). */
  time(): string {
    return new Date(Date.UTC(2026, 0, 1) + this.tick++).toISOString();
  }

  devicePut(deviceId: string): HubChange {
    this.versions.set(deviceId, { version: 1, desired: 1, reported: 1 });
    return { kind: 'devicePut', record: deviceRecord(deviceId, this.time()) };
  }

  modulePut(deviceId: string, moduleId: string): HubChange {
    this.versions.set(twinKey({ deviceId, moduleId }), { version: 1, desired: 1, reported: 1 });
    const time = this.time();
    const record: ModuleRecord = { deviceId, moduleId, generationId: `gen-${moduleId}`, identityVersion: 1, managedBy: null, authentication: AUTH, lastActivityTime: time, twin: freshTwin(time) };
    return { kind: 'modulePut', record };
  }

  /** A device's reported PATCH. */
  reported(target: TwinAddress, patch: JsonObject): HubChange {
    const v = this.bump(target, 'reported');
    const writer = { kind: 'device', deviceId: target.deviceId, ...(target.moduleId === undefined ? {} : { moduleId: target.moduleId }) } as const;
    return { kind: 'twinWritten', target, time: this.time(), writer, reported: { mode: 'merge', patch }, version: v.version, desiredVersion: v.desired, reportedVersion: v.reported };
  }

  /** A service PATCH of desired properties. */
  desired(target: TwinAddress, patch: JsonObject): HubChange {
    const v = this.bump(target, 'desired');
    return { kind: 'twinWritten', target, time: this.time(), writer: { kind: 'service', policy: 'iothubowner' }, desired: { mode: 'merge', patch }, version: v.version, desiredVersion: v.desired, reportedVersion: v.reported };
  }

  deviceDeleted(deviceId: string): HubChange {
    this.versions.delete(deviceId);
    return { kind: 'deviceDeleted', deviceId };
  }

  c2dEnqueued(deviceId: string, messageId: string): HubChange {
    const time = this.time();
    const message = { messageId, body: Buffer.from(`hello ${messageId}`).toString('base64'), system: { to: `/devices/${deviceId}/messages/devicebound` }, application: { k: 'v' }, ack: 'full', enqueuedTime: time, expiryTime: '2027-01-01T00:00:00.000Z', deliveryCount: 0 } as const;
    return { kind: 'c2dEnqueued', deviceId, message };
  }

  /** A CA certificate upload (the PEM is a stand-in: the reducer and the store never parse it). */
  caCertificatePut(name: string, isVerified: boolean): HubChange {
    const time = this.time();
    const record = { name, certificate: `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`, subject: `CN=${name}`, thumbprint: 'AB'.repeat(20), expiry: '2036-01-01T00:00:00.000Z', isVerified, created: time, updated: time, etag: `etag-${name}-${isVerified}`, verificationCode: isVerified ? null : 'C0DE' } as const;
    return { kind: 'caCertificatePut', record };
  }

  private bump(target: TwinAddress, section: 'desired' | 'reported'): Versions {
    const key = twinKey(target);
    const current = this.versions.get(key) ?? { version: 1, desired: 1, reported: 1 };
    const next = { ...current, version: current.version + 1, [section]: current[section] + 1 };
    this.versions.set(key, next);
    return next;
  }
}

/** A mixed workload of `count` batches over `devices` devices: creates, reported/desired patches, modules, C2D, a delete. */
export function mixedWorkload(maker: ChangeMaker, devices: number, count: number): HubChange[][] {
  const batches: HubChange[][] = [];
  for (let d = 0; d < devices; d++) batches.push([maker.devicePut(`dev-${d}`)]);
  batches.push([maker.modulePut('dev-0', 'm1'), { kind: 'sessionSaved', clientId: 'dev-1', subscriptions: [{ topic: '$iothub/twin/res/#', qos: 0 }] }]);
  for (let i = 0; i < count; i++) {
    const deviceId = `dev-${i % devices}`;
    if (i % 7 === 3) batches.push([maker.desired({ deviceId }, { setpoint: i, nested: { a: i % 3 === 0 ? null : i } })]);
    else if (i % 11 === 5) batches.push([maker.c2dEnqueued(deviceId, `msg-${i}`)]);
    else if (i % 13 === 6) batches.push([maker.reported({ deviceId: 'dev-0', moduleId: 'm1' }, { module: i })]);
    else batches.push([maker.reported({ deviceId }, { temperature: 20 + (i % 10), counter: i, text: 'x'.repeat(40) })]);
  }
  batches.push([maker.deviceDeleted(`dev-${devices - 1}`)]);
  batches.push([maker.caCertificatePut('root-ca', false), maker.caCertificatePut('old-ca', true)], [maker.caCertificatePut('root-ca', true)], [{ kind: 'caCertificateDeleted', name: 'old-ca' }]);
  return batches;
}
