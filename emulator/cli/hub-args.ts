import { parseArgs } from 'node:util';

import { DEFAULT_WIRE_LIMITS, HUB_TIERS, isHubTier, tierLimits, type EmulatorConfig, type WireLimits } from '../index.js';

/** Options of `npm run hub`. */
export interface HubCliOptions {
  readonly config: EmulatorConfig;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly help: boolean;
  /** Devices to register (if absent) at start, whose connection strings are printed. */
  readonly devices: readonly string[];
  /** X.509 devices (or `<device>/<module>`) to make at start with the built-in test PKI. */
  readonly x509Devices: readonly { readonly deviceId: string; readonly moduleId?: string; readonly mode: 'selfSigned' | 'caSigned' }[];
  /** `--routes <file>`: a routing file to read (routes-file.ts). */
  readonly routesFile?: string;
  /** `--route <Source>[:<condition>]`: quick routes to the built-in endpoint. */
  readonly quickRoutes: readonly string[];
  /** `--restore-snapshot <name>`: a saved hub snapshot (studio → Teach → Snapshots) to restore before ready. */
  readonly restoreSnapshot?: string;
  /** `--cluster-status`: print the cluster's nodes and exit. */
  readonly clusterStatus: boolean;
  /** `--scenario <file>`: a fault timeline to replay once the hub is ready (emulator/faults/README.md). */
  readonly scenarioFile?: string;
  /** `--traffic-log`: print every traffic event (injected faults included) as a JSON line. */
  readonly trafficLog: boolean;
}

/** Usage text of `npm run hub`. */
export const HUB_USAGE = `Usage: npm run hub -- [options]

Starts the Twin Studio IoT Hub emulator headless (for scripts and CI).

  --data-dir <dir>      data folder (hub.json, certs/); default: per-user app-data folder
                        (or $TWIN_STUDIO_DATA_DIR)
  --memory              keep registry and twins in memory only
  --host-name <name>    host name in connection strings (default localhost)
  --bind <address>      interface to listen on (default :: = every interface, dual stack:
                        devices on your network can connect); 127.0.0.1 or ::1 = this computer only
  --mqtts-port <n>      MQTT over TLS port (default 8883; 0 = any free port)
  --https-port <n|off>  REST + MQTT/AMQP over WebSockets (default 443)
  --https-fallback <n|off>  used when the HTTPS port cannot be bound (default 8443)
  --mqtt-port <n|off>   plain MQTT without TLS, for quick tests (default off)
  --amqps-port <n|off>  AMQP over TLS for cloud-to-device sends (default 5671)
  --amqp-dev-port <n|off>  plain AMQP on 127.0.0.1 serving only the Event Hub-compatible endpoint,
                        for @azure/event-hubs' UseDevelopmentEmulator=true form (no CA trust needed;
                        its default port is 5672; default off)
  --device <id>         register this device if it does not exist and print its connection
                        string (repeatable)
  --device-x509 <id>    make an X.509 device with a new self-signed certificate (registered with
                        its thumbprint), write its PEM files under <data-dir>/certs/devices and print
                        their paths and an x509=true connection string (repeatable; <device>/<module>
                        for a module); an existing identity switches to the new certificate
  --device-x509-ca <id> the same, with a certificate signed by the built-in device CA, which is
                        registered and verified on the hub (certificateAuthority identity)
  --routes <file>       message routing: a JSON file with IoT Hub's ARM "routing" object
                        ({"routes":[{"name","source","condition","endpointNames":["events"],"isEnabled"}],
                        "fallbackRoute":{"isEnabled":true},"endpoints":{"eventHubs":[{"name","entityPath"}],
                        "storageContainers":[{"name","containerName"}],"webhooks":[{"name","url"}]},
                        "enrichments":[{"key","value","endpointNames"}]}); replaces the stored routing
  --route <source>[:<condition>]  add a route to "events": DeviceMessages, TwinChangeEvents,
                        DeviceLifecycleEvents or DeviceConnectionStateEvents, e.g.
                        --route TwinChangeEvents (repeatable)
  --limit <name>=<n>    set one of the wire limits (see test/reliability/README.md), e.g.
                        --limit openTimeoutMs=2000 --limit maxPendingPerListener=64 (repeatable)
  --configuration-interval <ms>  how often every configuration is re-applied to all twins
                        (default 5000; 0 = only on changes; IoT Hub: 5 minutes)
  --history-limit <n>   twin change log entries kept per twin (default 32; 0 = no log), for
                        the studio's timeline and time travel
  --restore-snapshot <name>  restore the hub snapshot saved under <name> (in <data-dir>/snapshots/, saved
                        from the studio's Teach view) before the hub is ready: devices, twins, versions, etags
  --fault-injection     devices may ask for faults with the SDKs' AzIoTHub_FaultOperationType message
                        properties (KillTcp, ShutDownMqtt, KillAmqp…, Invoke…); off by default
  --scenario <file>     replay a fault timeline once the hub is ready: {"seed":42,"steps":[{"at":0,
                        "fault":"lossQos0","device":"d1","fraction":0.3}, …]}; prints each injected
                        fault and "scenario done" (same file + same traffic = same faults)
  --traffic-log         print every traffic event (what the studio's traffic view shows) as a JSON line
  --tier <tier>         emulate an IoT Hub tier's throttles and daily message quota: F1, S1, S2, S3,
                        B1, B2 or B3 (default: off, nothing throttled); see "npm run hub -- status"
  --units <n>           units of that tier (default 1; F1 1, S3/B3 up to 10, others up to 200)
  --lenient             accept what IoT Hub refuses but other emulators tolerate (each leniency is
                        listed in the README, "Differences from IoT Hub"); default strict
  --store <url>         keep the hub state in Redis: redis://host:port[/db] (AOF recommended;
                        see docs/cluster.md) instead of <data-dir>/hub.json
  --cluster             run as one node of a cluster sharing the --store Redis (docs/cluster.md)
  --node-id <id>        this node's id in the cluster (default: random)
  --cluster-status      print the cluster's nodes and their device counts, then exit
  --no-fsync            do not fsync writes (faster; a power cut may lose acknowledged updates)
  --json                print the ready line as JSON (for tools)
  --verbose             log debug lines to stderr
  -h, --help            this text

  npm run hub -- status [--data-dir <dir>] [--json]
                        what the running hub of that data folder has counted per operation
                        family (used / limit / window) and of the daily quota, with --tier on`;

/** Parses argv into emulator config; throws with a message naming the bad option. */
export function parseHubArgs(argv: readonly string[]): HubCliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'data-dir': { type: 'string' },
      memory: { type: 'boolean', default: false },
      'host-name': { type: 'string' },
      bind: { type: 'string' },
      'mqtts-port': { type: 'string' },
      'https-port': { type: 'string' },
      'https-fallback': { type: 'string' },
      'mqtt-port': { type: 'string' },
      'amqps-port': { type: 'string' },
      'amqp-dev-port': { type: 'string' },
      'no-fsync': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      device: { type: 'string', multiple: true },
      'device-x509': { type: 'string', multiple: true },
      'device-x509-ca': { type: 'string', multiple: true },
      limit: { type: 'string', multiple: true },
      routes: { type: 'string' },
      route: { type: 'string', multiple: true },
      'configuration-interval': { type: 'string' },
      'history-limit': { type: 'string' },
      'restore-snapshot': { type: 'string' },
      'fault-injection': { type: 'boolean', default: false },
      scenario: { type: 'string' },
      'traffic-log': { type: 'boolean', default: false },
      tier: { type: 'string' },
      units: { type: 'string' },
      lenient: { type: 'boolean', default: false },
      store: { type: 'string' },
      cluster: { type: 'boolean', default: false },
      'node-id': { type: 'string' },
      'cluster-status': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const ports: Record<string, number | null> = {};
  const setPort = (option: string, key: string, allowOff: boolean) => {
    const raw = values[option as keyof typeof values];
    if (typeof raw !== 'string') return;
    ports[key] = parsePort(option, raw, allowOff);
  };
  setPort('mqtts-port', 'mqtts', false);
  setPort('https-port', 'https', true);
  setPort('https-fallback', 'httpsFallback', true);
  setPort('mqtt-port', 'mqtt', true);
  setPort('amqps-port', 'amqps', true);
  setPort('amqp-dev-port', 'amqpDev', true);
  const config: EmulatorConfig = {
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values['host-name'] ? { hostName: values['host-name'] } : {}),
    ...(values.bind ? { bindAddress: values.bind } : {}),
    persistence: values.memory ? 'memory' : 'file',
    fsync: !values['no-fsync'],
    ports,
    ...(values.limit ? { limits: parseLimits(values.limit) } : {}),
    ...(values['configuration-interval'] === undefined ? {} : { fleet: { configurationIntervalMs: parseInterval(values['configuration-interval']) } }),
    ...(values['history-limit'] === undefined ? {} : { historyLimit: parseHistoryLimit(values['history-limit']) }),
    ...(values['fault-injection'] === true ? { faultInjection: true } : {}),
    ...tierOf(values.tier, values.units),
    ...(values.lenient ? { lenient: true } : {}),
    ...(values.store === undefined ? {} : { store: parseStoreUrl(values.store) }),
    ...(values.cluster ? { cluster: values['node-id'] === undefined ? {} : { nodeId: values['node-id'] } } : {}),
  };
  if (values.cluster && values.store === undefined) throw new Error('--cluster needs --store redis://host:port');
  if (values['node-id'] !== undefined && !values.cluster) throw new Error('--node-id needs --cluster');
  if (values['cluster-status'] && values.store === undefined) throw new Error('--cluster-status needs --store redis://host:port');
  return {
    config,
    json: values.json === true,
    verbose: values.verbose === true,
    help: values.help === true,
    devices: values.device ?? [],
    x509Devices: [
      ...(values['device-x509'] ?? []).map((id) => x509Target(id, 'selfSigned')),
      ...(values['device-x509-ca'] ?? []).map((id) => x509Target(id, 'caSigned')),
    ],
    ...(values.routes ? { routesFile: values.routes } : {}),
    quickRoutes: values.route ?? [],
    ...(values['restore-snapshot'] ? { restoreSnapshot: values['restore-snapshot'] } : {}),
    clusterStatus: values['cluster-status'] === true,
    ...(values.scenario ? { scenarioFile: values.scenario } : {}),
    trafficLog: values['traffic-log'] === true,
  };
}

function parseStoreUrl(raw: string): string {
  if (!/^rediss?:\/\/[^/]+(\/\d+)?$/.test(raw)) throw new Error(`--store must be redis://host:port[/db], got '${raw}'`);
  return raw;
}

/** `<device>` or `<device>/<module>` (device ids cannot contain `/`). */
function x509Target(raw: string, mode: 'selfSigned' | 'caSigned'): HubCliOptions['x509Devices'][number] {
  const slash = raw.indexOf('/');
  if (raw === '' || slash === 0 || slash === raw.length - 1) throw new Error(`--device-x509${mode === 'caSigned' ? '-ca' : ''} needs <device> or <device>/<module>, got '${raw}'`);
  return slash < 0 ? { deviceId: raw, mode } : { deviceId: raw.slice(0, slash), moduleId: raw.slice(slash + 1), mode };
}

const LIMIT_NAMES = new Set<string>(Object.keys(DEFAULT_WIRE_LIMITS));

function parseLimits(raw: readonly string[]): Partial<WireLimits> {
  const limits: Record<string, number> = {};
  for (const entry of raw) {
    const [name = '', value = ''] = entry.split('=', 2);
    if (!LIMIT_NAMES.has(name)) throw new Error(`--limit: unknown limit '${name}' (known: ${[...LIMIT_NAMES].join(', ')})`);
    if (!/^\d+$/.test(value) || Number(value) <= 0) throw new Error(`--limit ${name} must be a positive integer, got '${value}'`);
    limits[name] = Number(value);
  }
  return limits;
}

/** `--tier S1 --units 2` → config `tier`; `--units` alone is an error (it needs a tier). */
function tierOf(tier: string | undefined, units: string | undefined): Pick<EmulatorConfig, 'tier'> {
  if (tier === undefined) {
    if (units !== undefined) throw new Error('--units needs --tier');
    return {};
  }
  const name = tier.toUpperCase();
  if (!isHubTier(name)) throw new Error(`--tier must be one of ${HUB_TIERS.join(', ')}, got '${tier}'`);
  if (units !== undefined && !/^\d+$/.test(units)) throw new Error(`--units must be a whole number, got '${units}'`);
  const count = units === undefined ? 1 : Number(units);
  try {
    tierLimits(name, count);
  } catch (error) {
    throw new Error(`--units: ${(error as Error).message}`);
  }
  return { tier: { name, units: count } };
}

function parseInterval(raw: string): number {
  if (!/^\d+$/.test(raw)) throw new Error(`--configuration-interval must be a number of milliseconds (0 = off), got '${raw}'`);
  return Number(raw);
}

function parseHistoryLimit(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 100_000) throw new Error(`--history-limit must be a number of entries 0-100000 (0 = no change log), got '${raw}'`);
  return Number(raw);
}

function parsePort(option: string, raw: string, allowOff: boolean): number | null {
  if (allowOff && raw === 'off') return null;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new Error(`--${option} must be a port number 0-65535${allowOff ? " or 'off'" : ''}, got '${raw}'`);
  }
  return port;
}
