#!/usr/bin/env node
// `npm run hub`: the emulator headless, for scripts and CI. Prints where the hub is and how to connect, then a
// single ready line; stops cleanly (pending writes flushed) on SIGINT/SIGTERM.
import { readFile } from 'node:fs/promises';

import { consoleLogger, createEmulator, fetchClusterStatus, type EmulatorInfo, type HubEmulator, type RoutingConfig, type X509DeviceCredential } from '../index.js';
import { HUB_USAGE, parseHubArgs, type HubCliOptions } from './hub-args.js';
import { formatHubStatus, HUB_STATUS_INTERVAL_MS, HubStatusWriter, readHubStatus } from './hub-status.js';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../index.js';
import { parseRoutingFile, quickRoute } from './routes-file.js';
import { printTraffic, readScenario, runScenario } from './scenario-run.js';

/** The routing of `--routes <file>` plus the `--route` quick routes; undefined for neither. */
async function routingOf(options: HubCliOptions): Promise<RoutingConfig | undefined> {
  if (options.routesFile === undefined && options.quickRoutes.length === 0) return undefined;
  const fromFile = options.routesFile === undefined ? undefined : parseRoutingFile(await readFile(options.routesFile, 'utf8'), options.routesFile);
  return {
    routes: [...(fromFile?.routes ?? []), ...options.quickRoutes.map((raw, index) => quickRoute(raw, index))],
    fallbackEnabled: fromFile?.fallbackEnabled ?? true,
    endpoints: fromFile?.endpoints ?? { eventHubs: [], storageContainers: [], webhooks: [] },
    enrichments: fromFile?.enrichments ?? [],
  };
}

/** `npm run hub -- status [--data-dir <dir>] [--json]`: what the hub running on that data folder has counted. */
async function status(argv: readonly string[]): Promise<void> {
  let values: { 'data-dir'?: string; json?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HUB_USAGE}\n`);
    process.exit(2);
  }
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const document = await readHubStatus(dataDir);
  if (!document) {
    process.stderr.write(`No hub is running on ${dataDir} (start one with npm run hub).\n`);
    process.exit(1);
  }
  process.stdout.write(values.json ? `${JSON.stringify(document)}\n` : formatHubStatus(document));
}

async function main(): Promise<void> {
  if (process.argv[2] === 'status') return status(process.argv.slice(3));
  let options: HubCliOptions;
  try {
    options = parseHubArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HUB_USAGE}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`${HUB_USAGE}\n`);
    return;
  }
  if (options.clusterStatus) {
    await printClusterStatus(options);
    return;
  }
  let routing: RoutingConfig | undefined;
  let scenario: Awaited<ReturnType<typeof readScenario>> | undefined;
  try {
    routing = await routingOf(options);
    if (options.scenarioFile !== undefined) scenario = await readScenario(options.scenarioFile);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}
`);
    process.exit(2);
  }
  const hub = createEmulator({ ...options.config, ...(routing ? { routing } : {}), logger: consoleLogger(options.verbose) });
  let info: EmulatorInfo;
  try {
    info = await hub.start();
  } catch (error) {
    process.stderr.write(`The hub could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  let devices: Record<string, string>;
  let x509: Record<string, X509Summary>;
  try {
    if (options.restoreSnapshot !== undefined) await hub.snapshots.restore(options.restoreSnapshot);
  } catch (error) {
    process.stderr.write(`Could not restore the snapshot '${options.restoreSnapshot}': ${(error as Error).message}\n`);
    await hub.stop();
    process.exit(1);
  }
  try {
    devices = await registerDevices(hub, options.devices);
    x509 = await makeX509Devices(hub, options.x509Devices);
  } catch (error) {
    process.stderr.write(`Could not register devices: ${(error as Error).message}\n`);
    await hub.stop();
    process.exit(1);
  }
  const policies = Object.fromEntries(hub.policies().map((policy) => [policy.keyName, policy.connectionString]));
  // Routing's extra Event Hubs entities, by entity path, with their connection strings.
  const routedEventHubs = Object.fromEntries(hub.routing.eventHubEntities().map((entity) => [entity.info.name, hub.eventHubConnectionString('iothubowner', entity.info.name)]));
  process.stdout.write(
    options.json ? `${JSON.stringify({ event: 'ready', ...info, policies, devices, x509Devices: x509, routedEventHubs })}\n` : describe(info, policies, devices, x509, routedEventHubs),
  );
  if (options.trafficLog || scenario) printTraffic(hub, { all: options.trafficLog, json: options.json });
  if (scenario) runScenario(hub, scenario, options.json);
  // `npm run hub -- status` reads what this process counts (tier emulation) from the data folder.
  const statusFile = new HubStatusWriter(info.dataDir);
  const writeStatus = () => void statusFile.write({ pid: process.pid, updatedAt: new Date().toISOString(), hostName: info.hostName, tierUsage: hub.tierUsage() ?? null });
  writeStatus();
  const statusTimer = setInterval(writeStatus, HUB_STATUS_INTERVAL_MS);
  statusTimer.unref();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(statusTimer);
    process.stderr.write(`${signal}: stopping the hub…\n`);
    void hub.stop().then(() => statusFile.remove()).then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** `--cluster-status`: one line per node of the cluster on the --store Redis. */
async function printClusterStatus(options: HubCliOptions): Promise<void> {
  const prefix = options.config.hostName ?? 'localhost';
  const nodes = await fetchClusterStatus(options.config.store ?? '', prefix);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ event: 'clusterStatus', nodes })}\n`);
    return;
  }
  process.stdout.write(`Cluster ${prefix}: ${nodes.filter((node) => node.live).length} live node(s)\n`);
  for (const node of nodes) {
    const state = node.live ? 'live' : `silent ${Math.round(node.silentMs / 1000)} s`;
    process.stdout.write(`  ${node.nodeId.padEnd(12)} ${state.padEnd(12)} ${String(node.devices).padStart(6)} devices  batch ${node.position}${node.leader ? '  leader' : ''}  ${node.endpoint}\n`);
  }
}

/** Registers the devices named with --device (keeping existing ones) and returns their connection strings. */
async function registerDevices(hub: HubEmulator, deviceIds: readonly string[]): Promise<Record<string, string>> {
  const strings: Record<string, string> = {};
  for (const deviceId of deviceIds) {
    if (!hub.registry.find(deviceId)) await hub.registry.create({ deviceId });
    strings[deviceId] = hub.deviceConnectionString(deviceId);
  }
  return strings;
}

/** What the CLI prints for an X.509 device (never the key itself, only its path). */
type X509Summary = Pick<X509DeviceCredential, 'mode' | 'certPath' | 'keyPath' | 'thumbprint' | 'connectionString'>;

/** Makes the devices named with --device-x509 / --device-x509-ca (built-in test PKI) and returns their files. */
async function makeX509Devices(hub: HubEmulator, targets: HubCliOptions['x509Devices']): Promise<Record<string, X509Summary>> {
  const made: Record<string, X509Summary> = {};
  for (const target of targets) {
    const { mode, certPath, keyPath, thumbprint, connectionString } = await hub.x509.create(target);
    made[target.moduleId === undefined ? target.deviceId : `${target.deviceId}/${target.moduleId}`] = { mode, certPath, keyPath, thumbprint, connectionString };
  }
  return made;
}

function describe(info: EmulatorInfo, policies: Record<string, string>, devices: Record<string, string>, x509: Record<string, X509Summary>, routedEventHubs: Record<string, string>): string {
  const lines = [
    'Twin Studio IoT Hub emulator',
    `  host name         ${info.hostName}`,
    `  MQTT over TLS     ${info.hostName}:${info.ports.mqtts}`,
    `  HTTPS (REST, WS)  ${info.ports.https === null ? 'off' : `${info.hostName}:${info.ports.https}`}`,
    `  AMQP over TLS     ${info.ports.amqps === null ? 'off' : `${info.hostName}:${info.ports.amqps}`} (cloud-to-device sends)`,
    ...(info.ports.mqtt === null ? [] : [`  plain MQTT        ${info.hostName}:${info.ports.mqtt} (no TLS; not offered by IoT Hub)`]),
    `  data folder       ${info.dataDir}`,
    `  CA certificate    ${info.caCertPath}`,
    '',
    'Service connection strings (shared access policies):',
    ...Object.entries(policies).map(([name, cs]) => `  ${name.padEnd(18)} ${cs}`),
    '',
    ...Object.entries(devices).flatMap(([id, cs]) => [`Device ${id}:`, `  ${cs}`, '']),
    ...Object.entries(x509).flatMap(([id, device]) => [
      `X.509 device ${id} (${device.mode === 'caSigned' ? 'signed by the built-in device CA' : `self-signed, thumbprint ${device.thumbprint}`}):`,
      `  certificate       ${device.certPath}`,
      `  private key       ${device.keyPath}`,
      `  ${device.connectionString}`,
      '  (device SDK: client.setOptions({ cert, key }) with these files before open())',
      '',
    ]),
    ...(info.eventHub.connectionString === ''
      ? []
      : [
          `Event Hub-compatible endpoint (built-in, ${info.eventHub.partitions} partitions; @azure/event-hubs, trust the CA with NODE_EXTRA_CA_CERTS):`,
          `  ${info.eventHub.connectionString}`,
          ...(info.eventHub.developmentConnectionString === '' ? [] : ['  plain AMQP on this computer only (UseDevelopmentEmulator, no CA trust needed):', `  ${info.eventHub.developmentConnectionString}`]),
          '',
        ]),
    ...Object.entries(routedEventHubs).flatMap(([entity, cs]) => (cs === '' ? [] : [`Event Hubs endpoint of routing '${entity}':`, `  ${cs}`, ''])),
    'Device Provisioning Service (same host and ports):',
    `  ID scope          ${info.provisioning.idScope}`,
    `  service (DPS)     ${info.provisioning.serviceConnectionString}`,
    '',
    'Trust the CA in apps: NODE_EXTRA_CA_CERTS=<CA certificate>, or client.setOptions({ ca }) in the device SDK.',
    ...(info.ports.mqtts === 8883 ? [] : [`SAS devices on a non-default port: add ;GatewayHostName=${info.hostName}:${info.ports.mqtts} to their connection string.`]),
    ...info.warnings.map((warning) => `\nWARNING: ${warning}`),
    '',
    'hub ready (Ctrl+C to stop)',
    '',
  ];
  return lines.join('\n');
}

void main();
