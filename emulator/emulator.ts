import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

import { formatDeviceConnectionString, formatServiceConnectionString } from './auth/connection-string.js';
import { ensureCertificates } from './certs/certificates.js';
import { resolveConfig, type EmulatorConfig, type ResolvedConfig } from './config.js';
import { HubEventBus } from './events.js';
import { DeviceAuthenticator } from './services/device-authenticator.js';
import { ensureDefaultPolicies } from './services/policies.js';
import { RegistryService } from './services/registry-service.js';
import { TwinService } from './services/twin-service.js';
import { FileStore } from './store/file-store.js';
import type { HubState } from './store/hub-state.js';
import { MemoryStore } from './store/memory-store.js';
import type { EmulatorStore } from './store/store.js';
import { startHttpsListener } from './transports/http/https-listener.js';
import { listen, type BoundListener } from './transports/listen.js';
import { MqttGateway } from './transports/mqtt/mqtt-gateway.js';
import { createSessionStore } from './transports/mqtt/session-store.js';
import { TrafficTap } from './transports/tap.js';

/** Life-cycle state of an emulator. */
export type EmulatorStatus = 'Stopped' | 'Starting' | 'Running' | 'Stopping';

/** Where a running hub can be reached, and with what. */
export interface EmulatorInfo {
  readonly hostName: string;
  readonly ports: { readonly mqtts: number; readonly https: number | null; readonly mqtt: number | null };
  readonly dataDir: string;
  /** The CA certificate devices and service apps must trust. */
  readonly caCertPath: string;
  /** `iothubowner` connection string for service apps (azure-iothub). */
  readonly serviceConnectionString: string;
  /** Problems that did not stop the hub (e.g. 443 could not be bound). */
  readonly warnings: readonly string[];
}

/** The services of a running hub. */
interface Running {
  readonly state: HubState;
  readonly store: EmulatorStore;
  readonly registry: RegistryService;
  readonly twins: TwinService;
  readonly gateway: MqttGateway;
  readonly listeners: BoundListener[];
  readonly info: EmulatorInfo;
}

/** The composition root (house-style H4): builds store, services and transports in order, and tears them down. */
export class HubEmulator {
  readonly events = new HubEventBus();
  readonly config: ResolvedConfig;
  readonly tap: TrafficTap;
  private current: Running | undefined;
  private state: EmulatorStatus = 'Stopped';

  constructor(config: EmulatorConfig = {}) {
    this.config = resolveConfig(config);
    this.tap = new TrafficTap(this.events, this.config.clock);
  }

  get status(): EmulatorStatus {
    return this.state;
  }

  /** Connection facts; throws when the hub is not running. */
  get info(): EmulatorInfo {
    return this.running().info;
  }

  /** Device identities. */
  get registry(): RegistryService {
    return this.running().registry;
  }

  /** Twins, as the service side sees and changes them. */
  get twins(): TwinService {
    return this.running().twins;
  }

  /** Starts store, certificates, broker and listeners. Rejects (and cleans up) if any of them cannot start. */
  async start(): Promise<EmulatorInfo> {
    if (this.state !== 'Stopped') throw new Error(`cannot start an emulator that is ${this.state}`);
    this.state = 'Starting';
    const listeners: BoundListener[] = [];
    let store: EmulatorStore | undefined;
    try {
      this.current = await this.build(listeners, (opened) => (store = opened));
      this.state = 'Running';
      this.config.logger.info(`hub running: mqtts ${this.current.info.ports.mqtts}, https ${this.current.info.ports.https}`);
      return this.current.info;
    } catch (error) {
      await Promise.all(listeners.map((listener) => listener.close()));
      await store?.close();
      this.state = 'Stopped';
      throw error;
    }
  }

  /** Stops listeners and the broker, then waits for pending writes (nothing acknowledged is lost). */
  async stop(): Promise<void> {
    const running = this.current;
    if (!running || this.state !== 'Running') return;
    this.state = 'Stopping';
    await Promise.all(running.listeners.map((listener) => listener.close()));
    await running.gateway.close();
    await running.store.close();
    this.current = undefined;
    this.state = 'Stopped';
  }

  /** Drops a device's live MQTT connection (the device sees a network error and may reconnect). */
  disconnectDevice(deviceId: string): boolean {
    return this.running().gateway.disconnect(deviceId);
  }

  /** A device connection string for a registered device (primary key). */
  deviceConnectionString(deviceId: string): string {
    const { info, registry } = this.running();
    const record = registry.get(deviceId);
    return formatDeviceConnectionString({
      hostName: info.hostName,
      deviceId,
      sharedAccessKey: record.authentication.symmetricKey.primaryKey,
      ...(info.ports.mqtts === 8883 ? {} : { gatewayHostName: `${info.hostName}:${info.ports.mqtts}` }),
    });
  }

  private running(): Running {
    if (!this.current) throw new Error('the emulator is not running');
    return this.current;
  }

  private async build(listeners: BoundListener[], opened: (store: EmulatorStore) => void): Promise<Running> {
    const { config, events } = this;
    const store: EmulatorStore =
      config.persistence === 'file' ? new FileStore(join(config.dataDir, 'hub.json'), { fsync: config.fsync }) : new MemoryStore();
    const state = await store.open();
    opened(store);
    const undo = ensureDefaultPolicies(state);
    if (undo) await store.commit(undo);
    const certs = await ensureCertificates(join(config.dataDir, 'certs'), { hostNames: [config.hostName, ...config.extraHostNames] });
    const registry = new RegistryService(state, store, config.clock, events);
    const twins = new TwinService(registry, config.clock, events);
    const gateway = await MqttGateway.create({
      registry,
      twins,
      authenticator: new DeviceAuthenticator(state, registry, config.clock),
      sessions: createSessionStore(state, store),
      tap: this.tap,
      events,
      clock: config.clock,
      logger: config.logger,
      disconnectGraceMs: config.disconnectGraceMs,
    });
    const tls = { cert: certs.serverCertPem, key: certs.serverKeyPem };
    const handle = gateway.handle.bind(gateway);
    const mqtts = await listen(createTlsServer(tls, handle), config.ports.mqtts, config.bindAddress);
    listeners.push(mqtts);
    const warnings: string[] = [];
    let httpsPort: number | null = null;
    if (config.ports.https !== null) {
      const https = await startHttpsListener({
        tls,
        port: config.ports.https,
        fallbackPort: config.ports.httpsFallback,
        host: config.bindAddress,
        webSockets: { mqtt: handle },
        clock: config.clock,
      });
      listeners.push(https);
      httpsPort = https.port;
      if (https.warning) warnings.push(https.warning);
    }
    let mqttPort: number | null = null;
    if (config.ports.mqtt !== null) {
      const plain = await listen(createTcpServer(handle), config.ports.mqtt, config.bindAddress);
      listeners.push(plain);
      mqttPort = plain.port;
    }
    for (const warning of warnings) config.logger.warn(warning);
    const owner = state.policies.iothubowner;
    const info: EmulatorInfo = {
      hostName: config.hostName,
      ports: { mqtts: mqtts.port, https: httpsPort, mqtt: mqttPort },
      dataDir: config.dataDir,
      caCertPath: certs.caCertPath,
      serviceConnectionString: owner
        ? formatServiceConnectionString({ hostName: config.hostName, policyName: 'iothubowner', sharedAccessKey: owner.primaryKey })
        : '',
      warnings,
    };
    return { state, store, registry, twins, gateway, listeners, info };
  }
}
