import type { DeviceRecord, HubEmulator, SimulationInfo, TrafficEvent } from '../../emulator/index.js';
import type { DeviceDetails, DeviceSummary, SimulationDto, TrafficEventDto, TwinDocument } from '../contract/dto.js';

/** Payload previews sent to the renderer are cut to this many characters (house-style H16). */
export const TRAFFIC_PREVIEW_CHARS = 2048;

/** A device list row from the registry record plus its live state. */
export function toDeviceSummary(hub: HubEmulator, record: DeviceRecord, simulated: boolean): DeviceSummary {
  const runtime = hub.registry.runtime(record.deviceId);
  return {
    deviceId: record.deviceId,
    status: record.status,
    statusReason: record.statusReason,
    connectionState: runtime.connectionState,
    lastActivityTime: runtime.lastActivityTime,
    authenticationType: record.authentication.type,
    twinVersion: record.twin.version,
    simulated,
    connectedVia: runtime.connectionState === 'Connected' ? (hub.registry.connectedVia(record.deviceId) ?? null) : null,
  };
}

/** A device with everything needed to connect it. */
export function toDeviceDetails(hub: HubEmulator, record: DeviceRecord, simulated: boolean): DeviceDetails {
  const info = hub.info;
  const twin = hub.twins.getServiceTwin(record.deviceId);
  return {
    ...toDeviceSummary(hub, record, simulated),
    generationId: record.generationId,
    deviceEtag: typeof twin.deviceEtag === 'string' ? twin.deviceEtag : '',
    statusUpdatedTime: record.statusUpdatedTime,
    connectionString: record.authentication.type === 'sas' ? hub.deviceConnectionString(record.deviceId) : '',
    caCertPath: info.caCertPath,
    hostName: info.hostName,
    mqttsPort: info.ports.mqtts,
  };
}

/** The service twin as the contract types it (the hub's document is already plain JSON). */
export function toTwinDocument(twin: Record<string, unknown>): TwinDocument {
  return twin as TwinDocument;
}

/** A traffic event for the renderer, its payload preview cut to a fixed size. */
export function toTrafficDto(event: TrafficEvent): TrafficEventDto {
  const cut = event.payload.length > TRAFFIC_PREVIEW_CHARS;
  return {
    id: event.id,
    time: event.time,
    deviceId: event.deviceId ?? null,
    ...(event.moduleId !== undefined ? { moduleId: event.moduleId } : {}),
    direction: event.direction,
    protocol: event.protocol,
    ...(event.webSocket ? { webSocket: true as const } : {}),
    kind: event.kind,
    topic: event.topic,
    ...(event.rid !== undefined ? { rid: event.rid } : {}),
    ...(event.status !== undefined ? { status: event.status } : {}),
    ...(event.backEnd !== undefined ? { backEnd: event.backEnd } : {}),
    ...(event.startTime !== undefined ? { startTime: event.startTime } : {}),
    payload: cut ? event.payload.slice(0, TRAFFIC_PREVIEW_CHARS) : event.payload,
    payloadBytes: event.payloadBytes,
    truncated: cut || event.payloadBytes > new TextEncoder().encode(event.payload).length,
  };
}

/** A simulated device for the renderer. */
export function toSimulationDto(info: SimulationInfo): SimulationDto {
  const { status } = info;
  return {
    deviceId: info.deviceId,
    profileName: info.profileName,
    runState: info.runState,
    state: status.state,
    since: status.since,
    ...(status.nextConnectAt !== undefined ? { nextConnectAt: status.nextConnectAt } : {}),
    ...(status.lastError !== undefined ? { lastError: status.lastError } : {}),
    ...(info.profileError !== undefined ? { profileError: info.profileError } : {}),
    counters: { ...status.counters },
    ...(status.applyOnClick
      ? { applyOnClick: { held: status.applyOnClick.held.map((held) => ({ property: held.property, value: JSON.stringify(held.value), ...(held.version === undefined ? {} : { version: held.version }), receivedAt: held.receivedAt })) } }
      : {}),
  };
}
