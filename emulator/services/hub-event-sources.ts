import { randomUUID } from 'node:crypto';

import type { HubEventBus } from '../events.js';
import type { HubChange, SectionChange, TwinWritten } from '../model/changes.js';
import type { DeviceRecord } from '../model/device.js';
import type { HubEventInput } from '../model/hub-event.js';
import type { ModuleRecord } from '../model/hub-state.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import type { RouteSource } from '../model/routing.js';
import type { TwinAddress } from '../model/twin-address.js';
import type { EmulatorStore } from '../store/store.js';
import { sectionView, twinEtag } from '../twin/twin-views.js';
import type { Clock } from '../util/clock.js';
import { dictionary } from '../util/own-keys.js';
import type { EventHubService } from './event-hub-service.js';
import type { MessageRouter } from './message-router.js';

/** The `iothub-message-source` annotation and `iothub-message-schema` property per source (§6.4). */
const SOURCES: Readonly<Record<Exclude<RouteSource, 'DeviceMessages'>, { source: string; schema: string }>> = {
  TwinChangeEvents: { source: 'twinChangeEvents', schema: 'twinChangeNotification' },
  DeviceLifecycleEvents: { source: 'deviceLifecycleEvents', schema: 'deviceLifecycleNotification' },
  DeviceConnectionStateEvents: { source: 'deviceConnectionStateEvents', schema: 'deviceConnectionStateNotification' },
};

/**
 * The hub's own events (iothub-protocol-2.md §6.4), built only when a route reads their source: twin changes from the
 * committed `twinWritten` records (`updateTwin` with the changed sections, `replaceTwin` with the whole twin),
 * identity lifecycle from the registry's created/deleted events (the twin at that moment), and connection state from
 * the connection tracker (`deviceConnected`/`deviceDisconnected` with an increasing 64-hex-digit sequence number).
 */
export class HubEventSources {
  private readonly dispose: (() => void)[];
  private connectionSequence = 0;

  constructor(
    private readonly router: MessageRouter,
    private readonly eventHub: EventHubService,
    private readonly hubName: string,
    private readonly clock: Clock,
    private readonly twinOf: (address: TwinAddress) => JsonObject | undefined,
    store: Pick<EmulatorStore, 'onCommitted'>,
    events: HubEventBus,
  ) {
    this.dispose = [
      store.onCommitted(({ changes }) => this.committed(changes)),
      events.on('deviceCreated', ({ record }) => record && this.lifecycle('createDeviceIdentity', record)),
      events.on('deviceDeleted', ({ record }) => record && this.lifecycle('deleteDeviceIdentity', record)),
      events.on('moduleCreated', ({ record }) => record && this.lifecycle('createModuleIdentity', record)),
      events.on('moduleDeleted', ({ record }) => record && this.lifecycle('deleteModuleIdentity', record)),
      // A cluster node routes the connection events of its own connections only (docs/cluster.md).
      events.on('connectionStateChanged', ({ deviceId, moduleId, connectionState, remote }) =>
        !remote && this.connection(moduleId === undefined ? { deviceId } : { deviceId, moduleId }, connectionState === 'Connected' ? 'deviceConnected' : 'deviceDisconnected'),
      ),
    ];
  }

  close(): void {
    for (const dispose of this.dispose) dispose();
  }

  private committed(changes: readonly HubChange[]): void {
    if (!this.router.hasRouteFor('TwinChangeEvents')) return;
    for (const change of changes) if (change.kind === 'twinWritten') this.twinChanged(change);
  }

  private twinChanged(change: TwinWritten): void {
    const replaced = [change.tags, change.desired, change.reported].some((section) => section?.mode === 'replace');
    let body: JsonObject;
    if (replaced) {
      const twin = this.twinOf(change.target);
      if (!twin) return;
      body = { deviceId: change.target.deviceId, ...(change.target.moduleId === undefined ? {} : { moduleId: change.target.moduleId }), etag: twin.etag ?? null, version: change.version, tags: twin.tags ?? {}, properties: twin.properties ?? {} };
    } else {
      body = { version: change.version };
      if (change.tags) body.tags = change.tags.patch;
      const properties: JsonObject = {};
      if (change.desired) properties.desired = sectionEvent(change.desired, change.desiredVersion, change.time, true);
      if (change.reported) properties.reported = sectionEvent(change.reported, change.reportedVersion, change.time, false);
      if (Object.keys(properties).length > 0) body.properties = properties;
    }
    this.emit('TwinChangeEvents', change.target, replaced ? 'replaceTwin' : 'updateTwin', change.time, body);
  }

  private lifecycle(opType: string, record: DeviceRecord | ModuleRecord): void {
    if (!this.router.hasRouteFor('DeviceLifecycleEvents')) return;
    const address: TwinAddress = 'moduleId' in record ? { deviceId: record.deviceId, moduleId: record.moduleId } : { deviceId: record.deviceId };
    const twin = record.twin;
    const body: JsonObject = {
      deviceId: record.deviceId,
      ...('moduleId' in record ? { moduleId: record.moduleId } : {}),
      etag: twinEtag(twin),
      version: twin.version,
      tags: twin.tags,
      properties: { desired: sectionView(twin.desired, true), reported: sectionView(twin.reported, true) },
    };
    this.emit('DeviceLifecycleEvents', address, opType, this.clock.now().toISOString(), body);
  }

  private connection(address: TwinAddress, opType: 'deviceConnected' | 'deviceDisconnected'): void {
    if (!this.router.hasRouteFor('DeviceConnectionStateEvents')) return;
    this.connectionSequence += 1;
    // Strictly increasing as strings (fixed width): the time, then a counter for changes within one millisecond.
    const sequenceNumber = `${this.clock.now().getTime().toString(16).padStart(16, '0')}${this.connectionSequence.toString(16).padStart(48, '0')}`.toUpperCase();
    this.emit('DeviceConnectionStateEvents', address, opType, this.clock.now().toISOString(), { sequenceNumber });
  }

  private emit(source: Exclude<RouteSource, 'DeviceMessages'>, address: TwinAddress, opType: string, time: string, body: JsonObject): void {
    const { deviceId, moduleId } = address;
    const names = SOURCES[source];
    const application: Record<string, string | null> = dictionary();
    application.hubName = this.hubName;
    application.deviceId = deviceId;
    if (moduleId !== undefined) application.moduleId = moduleId;
    application.operationTimestamp = time;
    application.opType = opType;
    application['iothub-message-schema'] = names.schema;
    const annotations: Record<string, string> = dictionary();
    annotations['iothub-connection-device-id'] = deviceId;
    if (moduleId !== undefined) annotations['iothub-connection-module-id'] = moduleId;
    const now = this.clock.now();
    annotations['iothub-enqueuedtime'] = now.toISOString();
    annotations['iothub-message-source'] = names.source;
    const text = JSON.stringify(body);
    const event: HubEventInput = {
      partition: this.eventHub.partitionOf(deviceId),
      enqueuedTime: now.getTime(),
      body: Buffer.from(text, 'utf8').toString('base64'),
      properties: { messageId: randomUUID(), correlationId: randomUUID(), userId: this.hubName, contentType: 'application/json', contentEncoding: 'utf-8' },
      annotations,
      application,
    };
    const document: Record<string, JsonValue> = dictionary();
    for (const [key, value] of Object.entries(application)) document[key] = value;
    document.$contentType = 'application/json';
    document.$contentEncoding = 'utf-8';
    document.$connectionDeviceId = deviceId;
    if (moduleId !== undefined) document.$connectionModuleId = moduleId;
    document.$body = body;
    Object.defineProperty(document, '$twin', { enumerable: true, get: () => this.twinOf(address) });
    void this.router.route({ source, document, event }).catch(() => undefined);
  }
}

/** The changed part of a section as a twin change event shows it: the patch, `$metadata` of its keys, `$version`. */
function sectionEvent(section: SectionChange, sectionVersion: number, time: string, desired: boolean): JsonObject {
  const metadata: JsonObject = { $lastUpdated: time };
  for (const key of Object.keys(section.patch)) metadata[key] = desired ? { $lastUpdated: time, $lastUpdatedVersion: sectionVersion } : { $lastUpdated: time };
  return { ...section.patch, $metadata: metadata, $version: sectionVersion };
}
