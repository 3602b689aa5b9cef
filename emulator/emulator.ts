import { join } from 'node:path';

import { formatDeviceConnectionString, formatServiceConnectionString } from './auth/connection-string.js';
import { ensureCertificates } from './certs/certificates.js';
import { resolveConfig, type EmulatorConfig, type ResolvedConfig } from './config.js';
import { HubEventBus } from './events.js';
import { FaultEngine } from './faults/fault-engine.js';
import { withDeviceFaults } from './faults/fault-device-port.js';
import { FaultsApi } from './faults/faults-api.js';
import { startListeners } from './hub-listeners.js';
import { ListenerOutage } from './hub-outage.js';
import type { QueryPage } from './query/index.js';
import { CaCertificateService } from './services/ca-certificate-service.js';
import { C2dService, type C2dMessageInput } from './services/c2d-service.js';
import { DeviceAuthenticator } from './services/device-authenticator.js';
import { SnapshotService } from './services/snapshot-service.js';
import { StepGate } from './services/step-gate.js';
import { SnapshotsApi } from './snapshots-api.js';
import { fileSnapshotShelf, memorySnapshotShelf } from './store/snapshot-files.js';
import { DevicePortRelay } from './services/device-port.js';
import { MethodService } from './services/method-service.js';
import type { HubState, PolicyRight, StoredC2dMessage } from './model/hub-state.js';
import { ConnectionTracker } from './services/connection-tracker.js';
import { HubData } from './services/hub-data.js';
import type { ConfigurationService } from './services/configurations/configuration-service.js';
import type { DigitalTwinService } from './services/digital-twins/digital-twin-service.js';
import type { JobService } from './services/jobs/job-service.js';
import { ModuleService } from './services/module-service.js';
import { RequestGate } from './services/request-gate.js';
import { leniencyOf } from './services/leniency.js';
import { TierEmulation } from './services/tiers/tier-emulation.js';
import type { TierUsage } from './model/tier-usage.js';
import { ensureDefaultPolicies } from './services/policies.js';
import { DPS_OWNER_POLICY, ensureDpsInstance } from './provisioning/dps-instance.js';
import { DpsServiceAuthenticator } from './provisioning/dps-service-authenticator.js';
import { EnrollmentService } from './provisioning/enrollment-service.js';
import { RegistrationService } from './provisioning/registration-service.js';
import { WriteLock } from './provisioning/write-lock.js';
import { createDpsApi } from './transports/dps/dps-http-api.js';
import { StoreCorruptError } from './store/store-corrupt-error.js';
import { RegistryService } from './services/registry-service.js';
import { ServiceAuthenticator } from './services/service-authenticator.js';
import { SessionService } from './services/session-service.js';
import { TelemetryService } from './services/telemetry-service.js';
import { EventHubService, type EventLogPort } from './services/event-hub-service.js';
import { ConsumerGroupService } from './services/consumer-group-service.js';
import { HubEventSources } from './services/hub-event-sources.js';
import { MessageRouter } from './services/message-router.js';
import { RoutingService } from './services/routing-service.js';
import { routingEndpoints } from './routing-endpoints.js';
import { EventLog } from './store/event-log.js';
import { getOwn } from './util/own-keys.js';
import { twinRuntime } from './services/twin-runtime.js';
import { TwinService } from './services/twin-service.js';
import { TwinViewUpkeep } from './services/twin-view-upkeep.js';
import { applyChange } from './state/apply-change.js';
import { createStore } from './store/create-store.js';
import type { ClusterNode, ClusterNodeStatus } from './cluster/cluster-node.js';
import { startClusterNode } from './cluster/start-cluster.js';
import type { EmulatorStore, StoreStats } from './store/store.js';
import type { TwinAddress } from './model/twin-address.js';
import { AmqpServer } from './transports/amqp/amqp-server.js';
import { createDeviceApi } from './transports/http/device-api.js';
import { createManagementApi } from './transports/http/management-api.js';
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
import { X509Devices } from './x509-devices.js';
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
    /** Plain AMQP on loopback for the Event Hubs development-emulator form (`PortConfig.amqpDev`); null when off. */
    readonly amqpDev: number | null;
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
  /**
   * The Device Provisioning Service served by this hub: devices use `provisioningHost` = `hostName` (MQTT on the
   * MQTT/TLS port, HTTPS on the HTTPS port) with this id scope; `ProvisioningServiceClient` uses the connection string.
   */
  /**
   * The built-in Event Hub-compatible endpoint (iothub-protocol-2.md §5): its name (`EntityPath`), partition count, and
   * the connection string back ends give `@azure/event-hubs` (empty when AMQP is off).
   */
  readonly eventHub: {
    readonly name: string;
    readonly partitions: number;
    readonly connectionString: string;
    /** The same with `UseDevelopmentEmulator=true` on the plain loopback port (`ports.amqpDev`); empty when that is off. */
    readonly developmentConnectionString: string;
  };
  readonly provisioning: {
    readonly idScope: string;
    /** `HostName=<hostName>;SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=…` */
    readonly serviceConnectionString: string;
  };
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
  readonly snapshots: SnapshotsApi;
  readonly views: TwinViewUpkeep;
  readonly query: (text: string, options: { pageSize?: number; continuation?: string }) => QueryPage;
  readonly methods: MethodService;
  /** Jobs, configurations, digital twins. */
  readonly fleet: FleetServices;
  readonly modules: ModuleService;
  readonly c2d: C2dService;
  readonly telemetry: TelemetryService;
  /** The built-in Event Hub-compatible endpoint, and how to close its log. */
  readonly eventHub: EventHubService;
  readonly closeEvents: () => Promise<void>;
  readonly router: MessageRouter;
  readonly routing: RoutingService;
  readonly certificates: CaCertificateService;
  readonly x509: X509Devices;
  readonly enrollments: EnrollmentService;
  readonly amqp: AmqpServer;
  readonly gateway: MqttGateway;
  /** Unbinds the gateway from the services' device port (and the transitional event forwarding). */
  readonly unbindDevices: () => void;
  readonly listeners: BoundListener[];
  readonly info: EmulatorInfo;
  /** This hub's node when it runs as one of a cluster (docs/cluster.md). */
  readonly cluster: ClusterNode | undefined;
}

/** The composition root (house-style H4): builds store, services and transports in order, and tears them down. */
export class HubEmulator {
  readonly events = new HubEventBus();
  readonly config: ResolvedConfig;
  readonly tap: TrafficTap;
  /** Step-through mode: holds messages to chosen devices at the device port until released (issue 18). */
  readonly stepGate: StepGate;
  /** Injected faults: drop, refuse, delay, lose, time out, take the hub down; scenarios (emulator/faults/README.md). */
  readonly faults: FaultsApi;
  private readonly faultEngine: FaultEngine;
  /**
   * The one request gate every device and back-end operation passes (services/request-gate.ts). Tier emulation and
   * fault injection register their checks on it; with none (the default) nothing is checked.
   */
  readonly gate = new RequestGate();
  /** Tier emulation (config `tier`), one check of the gate; undefined when off. */
  private readonly tier: TierEmulation | undefined;
  private current: Running | undefined;
  private state: EmulatorStatus = 'Stopped';

  constructor(config: EmulatorConfig = {}) {
    this.config = resolveConfig(config);
    this.tap = new TrafficTap(this.events, this.config.clock);
    this.stepGate = new StepGate(this.config.clock);
    this.faultEngine = new FaultEngine({
      sdkProperties: this.config.faultInjection,
      logger: this.config.logger,
      record: ({ protocol, ...event }) => this.tap.record({ ...event, direction: 'out', protocol: protocol ?? 'hub', kind: 'fault' }),
      gate: this.gate,
    });
    this.faults = new FaultsApi(this.faultEngine);
    if (this.config.tier) {
      this.tier = new TierEmulation(this.config.tier, this.config.clock);
      this.gate.add(this.tier);
    }
  }

  /** What tier emulation has counted per operation family and of the daily quota; undefined when it is off. */
  tierUsage(): TierUsage | undefined {
    return this.tier?.usage();
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
  /** Hub snapshots: save / restore the devices, twins, C2D queues and twin change logs (issue 18). */
  get snapshots(): SnapshotsApi {
    return this.running().snapshots;
  }

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

  /** Messages delivered per route since the hub started (`$fallback` for the fallback route). */
  routeHits(): Readonly<Record<string, number>> {
    return this.running().router.hits();
  }

  /**
   * Message routing: the routes, endpoints and enrichments in force (`routing.config`), changed with `routing.set` (the
   * same checks and change record as Resource Manager's `IotHubResource.createOrUpdate`).
   */
  get routing(): RoutingService {
    return this.running().routing;
  }

  /** The built-in Event Hub-compatible endpoint (partitions, events, connection string). */
  get eventHub(): EventHubService {
    return this.running().eventHub;
  }

  /** CA certificates for X.509 CA authentication (the `…/IotHubs/{hub}/certificates` management resources). */
  get certificates(): CaCertificateService {
    return this.running().certificates;
  }

  /** The built-in test PKI: X.509 devices (self-signed or signed by the built-in device CA) with their PEM files. */
  get x509(): X509Devices {
    return this.running().x509;
  }

  /** DPS enrollments, enrollment groups and registration states (the same service as the DPS service API). */
  get enrollments(): EnrollmentService {
    return this.running().enrollments;
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

  /** The nodes of the cluster this hub is a node of (docs/cluster.md); empty for a hub on its own. */
  async clusterStatus(): Promise<ClusterNodeStatus[]> {
    return (await this.running().cluster?.status()) ?? [];
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
    let cluster: ClusterNode | undefined;
    try {
      this.current = await this.build(listeners, (opened) => (store = opened), (node) => (cluster = node));
      this.state = 'Running';
      this.config.logger.info(`hub running: mqtts ${this.current.info.ports.mqtts}, https ${this.current.info.ports.https}`);
      return this.current.info;
    } catch (error) {
      await Promise.all(listeners.map((listener) => listener.close()));
      await cluster?.close();
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
    // Held messages go to nobody once the transports are unbound: the devices resync on their next connection.
    running.unbindDevices();
    this.stepGate.releaseAll();
    await running.cluster?.close();
    this.faultEngine.close();
    running.views.close();
    await Promise.all(running.listeners.map((listener) => listener.close()));
    await running.gateway.close();
    running.c2d.close();
    running.telemetry.close();
    await running.closeEvents();
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

  /** A device connection string for a registered device (primary key; `x509=true` for an X.509 device). */
  deviceConnectionString(deviceId: string): string {
    const { info, registry, x509 } = this.running();
    const record = registry.get(deviceId);
    // An X.509 identity has no keys: `…;x509=true`, used with its certificate and key.
    if (record.authentication.type === 'selfSigned' || record.authentication.type === 'certificateAuthority') return x509.connectionString(deviceId);
    return formatDeviceConnectionString({
      hostName: info.hostName,
      deviceId,
      sharedAccessKey: record.authentication.symmetricKey.primaryKey,
      ...(info.ports.mqtts === 8883 ? {} : { gatewayHostName: `${info.hostName}:${info.ports.mqtts}` }),
    });
  }

  /**
   * The built-in endpoint's Event Hub-compatible connection string (iothub-protocol-2.md §5.1), as the portal shows it:
   * `Endpoint=sb://<host>[:<AMQP port>]/;SharedAccessKeyName=<policy>;SharedAccessKey=…;EntityPath=<hub name>`. The
   * port appears only when AMQP is not on 5671. Empty when AMQP is off.
   */
  eventHubConnectionString(policyName = 'iothubowner', entityPath?: string): string {
    const { info, state, eventHub } = this.running();
    const policy = getOwn(state.policies, policyName);
    if (!policy || info.ports.amqps === null) return '';
    return eventHubConnectionString(info.hostName, info.ports.amqps, policy, entityPath ?? eventHub.info.name);
  }

  /** A module connection string (`…;DeviceId=…;ModuleId=…;SharedAccessKey=…`) for a registered module. */
  moduleConnectionString(deviceId: string, moduleId: string): string {
    const { info, modules, x509 } = this.running();
    const record = modules.get(deviceId, moduleId);
    if (record.authentication.type === 'selfSigned' || record.authentication.type === 'certificateAuthority') return x509.connectionString(deviceId, moduleId);
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

  private async build(listeners: BoundListener[], opened: (store: EmulatorStore) => void, joined: (cluster: ClusterNode) => void): Promise<Running> {
    const { config, events } = this;
    const reduce = (state: HubState, change: Parameters<typeof applyChange>[1]) => applyChange(state, change, { historyLimit: config.historyLimit });
    const { persistence, dataDir, fsync, logger, compactAtBytes } = config;
    const redis = config.store === undefined ? undefined : { url: config.store, prefix: config.hostName, nodeId: config.cluster?.nodeId };
    const store = createStore({ persistence, dataDir, fsync, reduce, logger, compactAtBytes, redis });
    const state = await store.open();
    opened(store);
    const data = new HubData(state, store);
    // Policies are minted once, for an empty folder. Identities without policies mean lost policies: new keys would
    // silently lock out every service client configured with the old ones (issue 11; test/reliability/README.md).
    if (Object.keys(state.policies).length === 0 && Object.keys(state.devices).length + Object.keys(state.modules).length > 0) {
      throw new StoreCorruptError(join(dataDir, 'hub.json'), 'it has devices but no shared access policies (new keys would replace the ones every service client uses)');
    }
    await ensureDefaultPolicies(data);
    const dpsInstance = await ensureDpsInstance(data);
    const certs = await ensureCertificates(join(config.dataDir, 'certs'), { hostNames: [config.hostName, ...config.extraHostNames] });
    const cluster = await startClusterNode(config, store, events);
    if (cluster) joined(cluster);
    // Step-through (StepGate) holds messages at a single hub's relay; a cluster node's port forwards to other nodes.
    const devices = cluster?.devices ?? new DevicePortRelay(this.stepGate);
    const connections = new ConnectionTracker(config.clock, events);
    const registry = new RegistryService(data, connections, config.clock, events, devices);
    cluster?.track(connections);
    const modules = new ModuleService(data, registry, connections, config.clock, events, devices);
    const twins = new TwinService(data, twinRuntime(registry, modules), events, devices);
    const twinsApi = new TwinsApi(twins, config.clock);
    const shelf = persistence === 'memory' ? memorySnapshotShelf() : fileSnapshotShelf(dataDir, fsync);
    const snapshots = new SnapshotsApi(new SnapshotService(data, connections, config.clock, events, devices), shelf);
    const views = new TwinViewUpkeep(state, new TwinViewIndex(), twinRuntime(registry, modules), store, events);
    const built: { fleet?: FleetServices } = {};
    const queries = new TwinQueries(views.index, config.clock, { jobRows: jobRowsOf(() => built.fleet) });
    const query = (text: string, options: { pageSize?: number; continuation?: string }): QueryPage => {
      views.ensureComplete();
      return queries.run(text, options);
    };
    const methods = new MethodService(registry, devices, this.tap);
    const fleet = createFleetServices({ data, twins, methods, query, views, store, config });
    built.fleet = fleet;
    cluster?.attachJobs(fleet.jobs);
    const { jobs, configurations, digitalTwins } = fleet;
    const c2d = new C2dService(data, registry, config.clock, events, devices, this.tap);
    const eventLog = await EventLog.open({
      // Cluster nodes share the data folder (certificates) but each keeps its own built-in endpoint log.
      dir: persistence === 'memory' ? undefined : join(dataDir, config.cluster ? `events-${config.cluster.nodeId}` : 'events'),
      partitions: config.eventHub.partitions,
      retentionMs: config.eventHub.retentionMs,
      maxBytesPerPartition: config.eventHub.maxBytesPerPartition,
      fsync,
      clock: config.clock,
    });
    // A cluster node's built-in endpoint also carries the other nodes' events (cluster/cluster-event-relay.ts).
    let builtIn: EventLogPort = eventLog;
    if (cluster) {
      try {
        builtIn = await cluster.relayEvents(eventLog);
      } catch (error) {
        await eventLog.close();
        throw error;
      }
    }
    const eventHub = new EventHubService(builtIn, registry, modules, hubNameOf(config.hostName), eventLog.createdAt);
    const consumerGroups = new ConsumerGroupService(data, config.clock);
    const twinOf = (address: TwinAddress) => {
      try {
        return twins.getServiceTwin(address);
      } catch {
        return undefined;
      }
    };
    const router = new MessageRouter(eventHub, twinOf, hubNameOf(config.hostName), config.logger);
    const endpoints = routingEndpoints({ dataDir, persistence, fsync, eventHub: config.eventHub, clock: config.clock, logger: config.logger, registry, modules });
    const routing = new RoutingService(data, router, eventHub, endpoints.openers, config.logger);
    try {
      await routing.start(config.routing);
    } catch (error) {
      await routing.close();
      await eventLog.close();
      throw error;
    }
    const eventSources = new HubEventSources(router, eventHub, hubNameOf(config.hostName), config.clock, twinOf, store, events);
    const leniency = leniencyOf(config.lenient);
    const telemetry = new TelemetryService(events, config.clock, undefined, (ctx, address, properties, body) => router.deviceMessage(ctx, address, properties, body), leniency.maxD2cBodyBytes);
    const retention = setInterval(() => {
      eventLog.applyRetention();
      endpoints.applyRetention();
    }, 60_000);
    retention.unref();
    const certificates = new CaCertificateService(data, config.clock);
    const provisioningLock = new WriteLock();
    const enrollments = new EnrollmentService(data, provisioningLock, config.clock, events);
    const registrations = new RegistrationService({
      data, enrollments, registry, twins, clock: config.clock, events, logger: config.logger, instance: () => dpsInstance, hubHostName: config.hostName,
    });
    const serviceAuth = new ServiceAuthenticator(state, config.hostName, config.clock);
    const guard = new ConnectionGuard(config.limits, config.logger);
    const admit = (socket: { remoteAddress?: string; remotePort?: number; localPort?: number }) => guard.admit(socket);
    const deviceAuth = new DeviceAuthenticator(state, registry, config.clock, [config.hostName, ...config.extraHostNames]);
    const claim = (address: TwinAddress, newer: object) => devices.claim(address, newer);
    let amqpsPort: number | null = null;
    const amqp = new AmqpServer({
      maxDeliveryBytes: config.limits.maxPacketBytes,
      outgoing: { maxBytes: config.limits.maxOutgoingBytes, graceMs: config.limits.openTimeoutMs },
      eventHubRedirect: () => (amqpsPort === null ? undefined : { host: config.hostName, port: amqpsPort, entity: eventHub.info.name }),
      c2d,
      authenticator: serviceAuth,
      deviceAuthenticator: deviceAuth,
      eventHub,
      eventHubEntity: (entity) => routing.eventHubEntity(entity),
      consumerGroups,
      twins,
      telemetry,
      methods,
      connections,
      claim,
      tokenExpiryGraceMs: config.tokenExpiryGraceMs,
      faults: this.faultEngine,
      events,
      tap: this.tap,
      clock: config.clock,
      logger: config.logger,
      admit,
      provisioning: registrations,
      gate: this.gate,
      maxD2cBodyBytes: leniency.maxD2cBodyBytes,
    });
    const gateway = await MqttGateway.create({
      methods,
      c2d,
      connections,
      twins,
      authenticator: deviceAuth,
      sessions: createSessionStore(new SessionService(data)),
      telemetry,
      provisioning: registrations,
      tap: this.tap,
      clock: config.clock,
      logger: config.logger,
      disconnectGraceMs: config.disconnectGraceMs,
      limits: config.limits,
      tokenExpiryGraceMs: config.tokenExpiryGraceMs,
      claim,
      faults: this.faultEngine,
      gate: this.gate,
    });
    const unbindMqtt = devices.bind(withDeviceFaults(gateway.devicePort, this.faultEngine));
    const unbindAmqp = devices.bind(withDeviceFaults(amqp.devices, this.faultEngine));
    const unbindMqttFaults = this.faultEngine.bindTarget(gateway.faultTarget);
    const unbindAmqpFaults = this.faultEngine.bindTarget(amqp.devices.faultTarget);
    const unbindDevices = () => {
      unbindMqtt();
      unbindAmqp();
      unbindMqttFaults();
      unbindAmqpFaults();
    };

    const device = createDeviceApi({ services: { telemetry, c2d, faults: this.faultEngine }, authenticator: deviceAuth, tap: this.tap, clock: config.clock, logger: config.logger, gate: this.gate, maxD2cBodyBytes: leniency.maxD2cBodyBytes });
    const management = createManagementApi({
      services: {
        certificates,
        consumerGroups,
        routing,
        hubResource: {
          hostName: config.hostName,
          builtIn: () => ({ name: eventHub.info.name, partitionIds: eventHub.info.partitionIds, retentionDays: Math.max(1, Math.round(config.eventHub.retentionMs / 86_400_000)) }),
          eventHubNamespace: () => (this.current?.info.ports.amqps ? `sb://${config.hostName}${this.current.info.ports.amqps === 5671 ? '' : `:${this.current.info.ports.amqps}`}/` : ''),
        },
      },
      authenticator: serviceAuth,
      hubName: hubNameOf(config.hostName),
      tap: this.tap,
      logger: config.logger,
      apiVersionOptional: leniency.armApiVersionOptional,
    });
    const dps = createDpsApi({
      services: { enrollments, registrations },
      serviceAuthenticator: new DpsServiceAuthenticator(() => dpsInstance, config.hostName, config.clock),
      tap: this.tap,
      clock: config.clock,
      logger: config.logger,
    });
    const rest = createRestApi({ services: { registry, twins, methods, c2d, modules, query, jobs, configurations, digitalTwins }, authenticator: serviceAuth, tap: this.tap, clock: config.clock, logger: config.logger, device, management, dps, gate: this.gate });
    const { ports, warnings } = await startListeners({ config, certs, gateway, amqp, rest, guard, listeners });
    amqpsPort = ports.amqps;
    this.faultEngine.bindOutage(new ListenerOutage({ config, certs, gateway, amqp, rest, guard, listeners }, ports));
    if (certs.caReplacedReason) warnings.push(certs.caReplacedReason);
    if (certs.uncovered) {
      const names = [...certs.uncovered.dnsNames, ...certs.uncovered.ipAddresses].join(', ');
      warnings.push(`The local CA may not sign for ${names} (its name constraints predate them); delete ${certs.caCertPath} and its key to create a CA that covers them.`);
    }
    for (const warning of warnings) config.logger.warn(warning);
    // In a cluster one node (the leader lease) runs jobs and configurations; another takes over if it goes silent.
    if (cluster) cluster.whenLeader(() => fleet.start());
    else fleet.start();
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
      eventHub: {
        name: eventHub.info.name,
        partitions: eventHub.info.partitionIds.length,
        connectionString: owner && ports.amqps !== null ? eventHubConnectionString(config.hostName, ports.amqps, owner, eventHub.info.name) : '',
        developmentConnectionString: owner && ports.amqpDev !== null ? developmentConnectionString(ports.amqpDev, owner, eventHub.info.name) : '',
      },
      provisioning: {
        idScope: dpsInstance.idScope,
        serviceConnectionString: formatServiceConnectionString({ hostName: config.hostName, policyName: DPS_OWNER_POLICY, sharedAccessKey: dpsInstance.policies[DPS_OWNER_POLICY]?.primaryKey ?? '' }),
      },
    };
    cluster?.attach(methods, { hostName: config.hostName, addresses: info.addresses, ports: { mqtts: ports.mqtts, https: ports.https, amqps: ports.amqps } });
    const x509 = new X509Devices(registry, modules, certificates, config.clock, { hostName: config.hostName, mqttsPort: ports.mqtts, certificateDir: join(config.dataDir, 'certs') });
    const closeEvents = async () => {
      eventSources.close();
      clearInterval(retention);
      await routing.close();
      await eventLog.close();
    };
    return { state, store, registry, twins, twinsApi, snapshots, views, query, methods, fleet, modules, c2d, telemetry, eventHub, closeEvents, router, routing, certificates, x509, enrollments, amqp, gateway, unbindDevices, listeners, info, cluster };
  }
}

/**
 * `Endpoint=sb://localhost:<port>;…;UseDevelopmentEmulator=true`: `@azure/event-hubs` then speaks plain TCP (the port
 * listens on loopback only, so the host is `localhost`).
 */
function developmentConnectionString(port: number, policy: { keyName: string; primaryKey: string }, entity: string): string {
  return `Endpoint=sb://localhost:${port};SharedAccessKeyName=${policy.keyName};SharedAccessKey=${policy.primaryKey};EntityPath=${entity};UseDevelopmentEmulator=true`;
}

/** `Endpoint=sb://<host>[:<port>]/;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath=…` (port only when not 5671). */
function eventHubConnectionString(hostName: string, amqpsPort: number, policy: { keyName: string; primaryKey: string }, entity: string): string {
  const host = amqpsPort === 5671 ? hostName : `${hostName}:${amqpsPort}`;
  return `Endpoint=sb://${host}/;SharedAccessKeyName=${policy.keyName};SharedAccessKey=${policy.primaryKey};EntityPath=${entity}`;
}

/** The hub's Resource Manager name: the first label of its host name (`myhub.azure-devices.net` → `myhub`). */
export function hubNameOf(hostName: string): string {
  return hostName.split('.')[0] ?? hostName;
}
