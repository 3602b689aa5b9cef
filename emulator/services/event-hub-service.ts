import type { HubEvent, HubEventInput, HubEventProperties } from '../model/hub-event.js';
import type { MessageProperties } from '../model/message.js';
import type { RequestContext } from '../model/request-context.js';
import type { TwinAddress } from '../model/twin-address.js';
import { dictionary } from '../util/own-keys.js';
import type { ModuleService } from './module-service.js';
import type { RegistryService } from './registry-service.js';

/** The partition log the service writes to (store/event-log.ts; a type here keeps services off the store). */
export interface EventLogPort {
  readonly partitionCount: number;
  append(inputs: readonly HubEventInput[]): Promise<HubEvent[]>;
  events(partition: number): readonly HubEvent[];
  state(partition: number): { beginSequenceNumber: number; lastSequenceNumber: number; lastOffset: string; lastEnqueuedTime: number; empty: boolean };
  onAppended(listener: (events: readonly HubEvent[]) => void): () => void;
}

/** The built-in endpoint's fixed facts (iothub-protocol-2.md §5.1). */
export interface EventHubInfo {
  /** The Event Hub-compatible name (`EntityPath`). */
  readonly name: string;
  readonly partitionIds: readonly string[];
  /** When the endpoint was created (ms since the epoch). */
  readonly createdAt: number;
}

/**
 * The built-in Event Hub-compatible endpoint (`messages/events`, iothub-protocol-2.md §5): device-to-cloud messages
 * stamped as IoT Hub stamps them (§5.6) and appended durably to a partition chosen by a stable hash of the device id
 * (§5.7), for Event Hubs consumers to read.
 */
export class EventHubService {
  readonly info: EventHubInfo;
  private readonly retiredListeners = new Set<() => void>();

  constructor(
    private readonly log: EventLogPort,
    private readonly registry: Pick<RegistryService, 'find'>,
    private readonly modules: Pick<ModuleService, 'find'>,
    name: string,
    createdAt: number,
  ) {
    this.info = { name, partitionIds: Array.from({ length: log.partitionCount }, (_, index) => String(index)), createdAt };
  }

  /** FNV-1a of the UTF-8 device id, modulo the partition count: a device (and its modules) stays on one partition. */
  partitionOf(deviceId: string): number {
    let hash = 0x811c9dc5;
    for (const byte of Buffer.from(deviceId, 'utf8')) {
      hash ^= byte;
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash % this.log.partitionCount;
  }

  /** Appends a stamped event (telemetry, or a routed hub event); resolves when durable. */
  async ingest(input: HubEventInput): Promise<HubEvent> {
    const [event] = await this.log.append([input]);
    return event as HubEvent;
  }

  events(partition: number): readonly HubEvent[] {
    return this.log.events(partition);
  }

  state(partition: number): ReturnType<EventLogPort['state']> {
    return this.log.state(partition);
  }

  onAppended(listener: (events: readonly HubEvent[]) => void): () => void {
    return this.log.onAppended(listener);
  }

  /** Called once when the endpoint is removed (a routing Event Hubs entity that went); readers attached to it end. */
  onRetired(listener: () => void): () => void {
    this.retiredListeners.add(listener);
    return () => this.retiredListeners.delete(listener);
  }

  /** The endpoint is gone: tells `onRetired` listeners (the built-in endpoint is never retired). */
  retire(): void {
    const listeners = [...this.retiredListeners];
    this.retiredListeners.clear();
    for (const listener of listeners) listener();
  }

  /** A device's message as IoT Hub stamps it (§5.6), not yet appended. */
  telemetryEvent(ctx: RequestContext, address: TwinAddress, properties: MessageProperties, body: Buffer): HubEventInput {
    const { deviceId, moduleId } = address;
    const device = this.registry.find(deviceId);
    const module = moduleId === undefined ? undefined : this.modules.find(deviceId, moduleId);
    const identity = module ?? device;
    const authType = identity?.authentication.type === 'sas' || identity === undefined ? 'sas' : 'x509';
    const annotations: Record<string, string> = dictionary();
    annotations['iothub-connection-device-id'] = deviceId;
    if (moduleId !== undefined) annotations['iothub-connection-module-id'] = moduleId;
    annotations['iothub-connection-auth-method'] = JSON.stringify({ scope: moduleId === undefined ? 'device' : 'module', type: authType, issuer: 'iothub', acceptingIpFilterRule: null });
    annotations['iothub-connection-auth-generation-id'] = identity?.generationId ?? '';
    annotations['iothub-enqueuedtime'] = ctx.time;
    annotations['iothub-message-source'] = 'Telemetry';
    const system = properties.system;
    if (system.ifid !== undefined) annotations['iothub-interface-id'] = system.ifid;
    if (system.sub !== undefined) annotations['dt-subject'] = system.sub;
    const modelId = identity?.twin.modelId;
    if (modelId !== undefined && modelId !== '') annotations['dt-dataschema'] = modelId;
    const application: Record<string, string | null> = dictionary();
    for (const [key, value] of Object.entries(properties.application)) application[key] = value;
    return {
      partition: this.partitionOf(deviceId),
      enqueuedTime: Date.parse(ctx.time),
      body: body.toString('base64'),
      properties: eventProperties(system),
      annotations,
      application,
    };
  }
}

function eventProperties(system: Readonly<Record<string, string>>): HubEventProperties {
  const properties: { -readonly [K in keyof HubEventProperties]: HubEventProperties[K] } = {};
  if (system.mid !== undefined) properties.messageId = system.mid;
  if (system.cid !== undefined) properties.correlationId = system.cid;
  if (system.uid !== undefined) properties.userId = system.uid;
  if (system.ct !== undefined) properties.contentType = system.ct;
  if (system.ce !== undefined) properties.contentEncoding = system.ce;
  if (system.exp !== undefined) properties.absoluteExpiryTime = system.exp;
  return properties;
}
