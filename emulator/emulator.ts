import { join } from 'node:path';

import { formatDeviceConnectionString, formatServiceConnectionString } from './auth/connection-string.js';
import { ensureCertificates } from './certs/certificates.js';
import { resolveConfig, type EmulatorConfig, type ResolvedConfig } from './config.js';
import { HubEventBus } from './events.js';
import { startListeners } from './hub-listeners.js';
import type { QueryPage } from './query/index.js';
import { C2dService, type C2dMessageInput } from './services/c2d-service.js';
import { DeviceAuthenticator } from './services/device-authenticator.js';
import { DevicePortRelay } from './services/device-port.js';
import { MethodService } from './services/method-service.js';
import type { HubState, PolicyRight, StoredC2dMessage } from './model/hub-state.js';
import { ConnectionTracker } from './services/connection-tracker.js';
import { HubData } from './services/hub-data.js';
import type { ConfigurationService } from './services/configurations/configuration-service.js';
import type { DigitalTwinService } from './services/digital-twins/digital-twin-service.js';
import type { JobService } from './services/jobs/job-service.js';
import { ModuleService } from './services/module-service.js';
import { ensureDefaultPolicies } from './services/policies.js';
import { StoreCorruptError } from './store/store-corrupt-error.js';
import { RegistryService } from './services/registry-service.js';
import { ServiceAuthenticator } from './services/service-authenticator.js';
import { SessionService } from './services/session-service.js';
import { TelemetryService } from './services/telemetry-service.js';
import { twinRuntime } from './services/twin-runtime.js';
import { TwinService } from './services/twin-service.js';
import { TwinViewUpkeep } from './services/twin-view-upkeep.js';
import { applyChange } from './state/apply-change.js';
import { createStore } from './store/create-store.js';
import type { EmulatorStore, StoreStats } from './store/store.js';
import { AmqpServer } from './transports/amqp/amqp-server.js';
import { createDeviceApi } from './transports/http/device-api.js';
import { createRestApi } from './transports/http/rest-api.js';
import { ConnectionGuard } from './transports/connection-guard.js';
import type { BoundListener } from './transports/listen.js';
import { MqttGateway } from './transports/mqtt/mqtt-gateway.js';
import { createSessionStore } from './transports/mqtt/session-store.js';
import { reachableAddresses } from './transports/reachable-addresses.js';
import { TrafficTap } from './transports/tap.js';
import type { FleetApi } from './fleet-api.js';
import { createFleetServices, jobRowsOf, type FleetServices } from './fleet-services.js';
import { TwinsApi } from './twins-api.js';
import { TwinQueries } from './views/twin-queries.js';
import { TwinViewIndex } from './views/twin-view-index.js';

/** Life-cycle state of an emulator. */
export type EmulatorStatus = 'Stopped' | 'Starting' | 'Running' | 'Stopping';

/** Where a running hub can be reached, and with what. */
export interface EmulatorInfo {
  readonly hostName: string;
  readonly ports: {
    readonly mqtts: number;
    readonly https: number | null;
    readonly mqtt: number | null;
    /** AMQP over TLS (service C2D); null when off. */
    readonly amqps: number | null;
  };
  readonly dataDir: string;
  /** The CA certificate devices and service apps must trust. */
  readonly caCertPath: string;
  /** `iothubowner` connection string for service apps (azure-iothub). */
  readonly serviceConnectionString: string;
  /**
   * Where devices can reach the hub: host name and loopback, plus the machine's LAN addresses when it listens on
   * every interface (`bindAddress` `::`, the default).
   */
  readonly addresses: readonly string[];
  /** Problems that did not stop the hub (e.g. 443 could not be bound). */
  readonly warnings: readonly string[];
}

/** A shared access policy as the front door shows it. */
export interface PolicyInfo {
  readonly keyName: string;
  readonly rights: readonly PolicyRight[];
  readonly primaryKey: string;
  readonly secondaryKey: string;
  /** `HostName=…;SharedAccessKeyName=…;SharedAccessKey=…` with the primary key. */
  readonly connectionString: string;
}

/** The services of a running hub. */
interface Running {
  readonly state: HubState;
  readonly store: EmulatorStore;
  readonly registry: RegistryService;
  readonly twins: TwinService;
  readonly twinsApi: TwinsApi;
  readonly views: TwinViewUpkeep;
  readonly query: (text: string, options: { pageSize?: number; continuation?: string }) => QueryPage;
  readonly methods: MethodService;
  /** Jobs, configurations, digital twins. */
  readonly fleet: FleetServices;
  readonly modules: ModuleService;
  readonly c2d: C2dService;
  readonly telemetry: TelemetryService;
  readonly amqp: AmqpServer;
  readonly gateway: MqttGateway;
  /** Unbinds the gateway from the services' device port (and the transitional event forwarding). */
  readonly unbindDevices: () => void;
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

  /** Twins (device and module twins), as the service side and the studio see and change them. */
  get twins(): TwinsApi {
    return this.running().twinsApi;
  }

  /** Direct methods (the same path as `POST /twins/{id}/methods`). */
  get methods(): MethodService {
    return this.running().methods;
  }

  /** Scheduled jobs (the same service as `/jobs/v2`). */
  get jobs(): JobService {
    return this.running().fleet.jobs;
  }

  /** Configurations (automatic device management; the same service as `/configurations`). */
  get configurations(): ConfigurationService {
    return this.running().fleet.configurations;
  }

  /** Jobs and configurations as the studio drives them (same checks as REST, the studio as the writer). */
  get fleet(): FleetApi {
    return this.running().fleet.fleet;
  }

  /** The IoT Plug and Play digital twin API (the same service as `/digitaltwins`). */
  get digitalTwins(): DigitalTwinService {
    return this.running().fleet.digitalTwins;
  }

  /** Resolves when the hub has applied every configuration change it knows of to the twins. */
  configurationsSettled(): Promise<void> {
    return this.running().fleet.applier.idle();
  }

  /** Module identities and module twins. */
  get modules(): ModuleService {
    return this.running().modules;
  }

  /** Cloud-to-device queues. */
  get c2d(): C2dService {
    return this.running().c2d;
  }

  /** The last device-to-cloud messages per device. */
  get telemetry(): TelemetryService {
    return this.running().telemetry;
  }

  /**
   * Runs an IoT Hub query (the same engine as `POST /devices/query`) over every twin. Throws the query engine's
   * QueryError (with position) for bad text.
   */
  query(text: string, options: { pageSize?: number; continuation?: string } = {}): QueryPage {
    return this.running().query(text, options);
  }

  /**
   * What the store has written since this start: journal and snapshot bytes, durable batches (one fdatasync each),
   * change records and compactions (the memory store counts batches and changes only). For benchmarks and the studio's status line.
   */
  storeStats(): StoreStats {
    return this.running().store.stats;
  }

  /** Queues a cloud-to-device message, as the service SDK's `Client.send` does over AMQP. */
  sendC2D(deviceId: string, message: C2dMessageInput): Promise<StoredC2dMessage> {
    return this.running().c2d.send(deviceId, message);
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
    running.amqp.close();
    running.fleet.close();
    running.methods.close();
    running.unbindDevices();
    running.views.close();
    await Promise.all(running.listeners.map((listener) => listener.close()));
    await running.gateway.close();
    running.c2d.close();
    running.telemetry.close();
    await running.store.close();
    this.current = undefined;
    this.state = 'Stopped';
  }

  /** Drops a device's live MQTT connection (the device sees a network error and may reconnect). */
  disconnectDevice(deviceId: string): boolean {
    return this.running().gateway.disconnect(deviceId);
  }

  /**
   * The shared access policies (iothubowner, service, device, registryRead, registryReadWrite) with their rights,
   * keys and service connection strings; generated on first start and kept in the data dir.
   */
  policies(): PolicyInfo[] {
    const { state, info } = this.running();
    return Object.values(state.policies).map((policy) => ({
      keyName: policy.keyName,
      rights: [...policy.rights],
      primaryKey: policy.primaryKey,
      secondaryKey: policy.secondaryKey,
      connectionString: formatServiceConnectionString({ hostName: info.hostName, policyName: policy.keyName, sharedAccessKey: policy.primaryKey }),
    }));
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

  /** A module connection string (`…;DeviceId=…;ModuleId=…;SharedAccessKey=…`) for a registered module. */
  moduleConnectionString(deviceId: string, moduleId: string): string {
    const { info, modules } = this.running();
    const record = modules.get(deviceId, moduleId);
    return formatDeviceConnectionString({
      hostName: info.hostName,
      deviceId,
      moduleId,
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
    const reduce = (state: HubState, change: Parameters<typeof applyChange>[1]) => applyChange(state, change, { historyLimit: config.historyLimit });
    const { persistence, dataDir, fsync, logger, compactAtBytes } = config;
    const store = createStore({ persistence, dataDir, fsync, reduce, logger, compactAtBytes });
    const state = await store.open();
    opened(store);
    const data = new HubData(state, store);
    // Policies are minted once, for an empty folder. Identities without policies mean lost policies: new keys would
    // silently lock out every service client configured with the old ones (issue 11; test/reliability/README.md).
    if (Object.keys(state.policies).length === 0 && Object.keys(state.devices).length + Object.keys(state.modules).length > 0) {
      throw new StoreCorruptError(join(dataDir, 'hub.json'), 'it has devices but no shared access policies (new keys would replace the ones every service client uses)');
    }
    await ensureDefaultPolicies(data);
    const certs = await ensureCertificates(join(config.dataDir, 'certs'), { hostNames: [config.hostName, ...config.extraHostNames] });
    const devices = new DevicePortRelay();
    const connections = new ConnectionTracker(config.clock, events);
    const registry = new RegistryService(data, connections, config.clock, events, devices);
    const modules = new ModuleService(data, registry, connections, config.clock, events, devices);
    const twins = new TwinService(data, twinRuntime(registry, modules), events, devices);
    const twinsApi = new TwinsApi(twins, config.clock);
    const views = new TwinViewUpkeep(state, new TwinViewIndex(), twinRuntime(registry, modules), store, events);
    const built: { fleet?: FleetServices } = {};
    const queries = new TwinQueries(views.index, config.clock, { jobRows: jobRowsOf(() => built.fleet) });
    const query = (text: string, options: { pageSize?: number; continuation?: string }): QueryPage => {
      views.ensureComplete();
      return queries.run(text, options);
    };
    const methods = new MethodService(registry, devices);
    const fleet = createFleetServices({ data, twins, methods, query, views, store, config });
    built.fleet = fleet;
    const { jobs, configurations, digitalTwins } = fleet;
    const c2d = new C2dService(data, registry, config.clock, events, devices);
    const telemetry = new TelemetryService(events, config.clock);
    const serviceAuth = new ServiceAuthenticator(state, config.hostName, config.clock);
    const guard = new ConnectionGuard(config.limits, config.logger);
    const admit = (socket: { remoteAddress?: string; remotePort?: number; localPort?: number }) => guard.admit(socket);
    const amqp = new AmqpServer({ c2d, authenticator: serviceAuth, events, tap: this.tap, clock: config.clock, logger: config.logger, admit });
    const deviceAuth = new DeviceAuthenticator(state, registry, config.clock, [config.hostName, ...config.extraHostNames]);
    const gateway = await MqttGateway.create({
      methods,
      c2d,
      connections,
      twins,
      authenticator: deviceAuth,
      sessions: createSessionStore(new SessionService(data)),
      telemetry,
      tap: this.tap,
      clock: config.clock,
      logger: config.logger,
      disconnectGraceMs: config.disconnectGraceMs,
      limits: config.limits,
      tokenExpiryGraceMs: config.tokenExpiryGraceMs,
    });
    const unbindDevices = devices.bind(gateway.devicePort);

    const device = createDeviceApi({ services: { telemetry, c2d }, authenticator: deviceAuth, tap: this.tap, clock: config.clock, logger: config.logger });
    const rest = createRestApi({ services: { registry, twins, methods, c2d, modules, query, jobs, configurations, digitalTwins }, authenticator: serviceAuth, tap: this.tap, clock: config.clock, logger: config.logger, device });
    const { ports, warnings } = await startListeners({ config, certs, gateway, amqp, rest, guard, listeners });
    if (certs.caReplacedReason) warnings.push(certs.caReplacedReason);
    if (certs.uncovered) {
      const names = [...certs.uncovered.dnsNames, ...certs.uncovered.ipAddresses].join(', ');
      warnings.push(`The local CA may not sign for ${names} (its name constraints predate them); delete ${certs.caCertPath} and its key to create a CA that covers them.`);
    }
    for (const warning of warnings) config.logger.warn(warning);
    fleet.start();
    const owner = state.policies.iothubowner;
    const info: EmulatorInfo = {
      hostName: config.hostName,
      ports,
      dataDir: config.dataDir,
      caCertPath: certs.caCertPath,
      serviceConnectionString: owner
        ? formatServiceConnectionString({ hostName: config.hostName, policyName: 'iothubowner', sharedAccessKey: owner.primaryKey })
        : '',
      addresses: reachableAddresses(config.bindAddress, config.hostName),
      warnings,
    };
    return { state, store, registry, twins, twinsApi, views, query, methods, fleet, modules, c2d, telemetry, amqp, gateway, unbindDevices, listeners, info };
  }
}
