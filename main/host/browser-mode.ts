// Browser mode: the studio without Electron. Hosts the hub, serves the built renderer and the contract on
// 127.0.0.1, prints the URL (with its one-time token) and the hub's connection facts; stops cleanly on signals.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';

import { consoleLogger, defaultDataDir } from '../../emulator/index.js';
import { rendererDir } from '../app-paths.js';
import { BROWSER_USAGE, parseBrowserArgs, type BrowserModeOptions } from './browser-args.js';
import type { EmulatorStatusDto } from '../contract/dto.js';
import { EmulatorHost } from '../emulator-host.js';
import { BrowserHost, type BrowserHostAddress } from './browser-host.js';
import { handlers } from './handlers/index.js';
import { defaultSettings } from '../settings/settings-schema.js';
import { SettingsStore } from '../settings/settings-store.js';

/** Starts browser mode with command-line `argv`; resolves once serving, with a function that stops everything. */
export async function runBrowserMode(argv: readonly string[]): Promise<() => Promise<void>> {
  const options = parseBrowserArgs(argv);
  if (options.help) {
    process.stdout.write(`${BROWSER_USAGE}\n`);
    return async () => undefined;
  }
  const host = new EmulatorHost({
    settings: await settingsFor(options),
    hostKind: 'browser',
    logger: consoleLogger(options.verbose),
    emulatorConfig: {
      ...(options.hostName ? { hostName: options.hostName } : {}),
      ...(options.store === undefined ? {} : { store: options.store }),
      ...(options.cluster ? { cluster: options.cluster } : {}),
    },
  });
  const status = await host.start();
  const web = new BrowserHost({ host, handlers, rendererDir: rendererDir(), port: options.port });
  const address = await web.listen();
  const clusterNode = status.status === 'Running' ? host.requireRunning().config.cluster?.nodeId : undefined;
  process.stdout.write(
    options.json
      ? `${JSON.stringify({ event: 'ready', url: address.url, port: address.port, hub: status, ...(clusterNode === undefined ? {} : { clusterNode }) })}\n`
      : describe(address, status, clusterNode),
  );
  if (options.open) openBrowser(address.url);
  return async () => {
    await web.close();
    await host.stop();
  };
}

async function settingsFor(options: BrowserModeOptions): Promise<SettingsStore> {
  const { overrides } = options;
  if (overrides.dataDir === undefined && overrides.persistence === undefined && overrides.ports === undefined) {
    return SettingsStore.fromFile(options.settingsFile ?? join(dirname(defaultDataDir()), 'studio-settings.json'));
  }
  const base = options.settingsFile ? (await SettingsStore.fromFile(options.settingsFile)).settings : defaultSettings();
  return SettingsStore.inMemory({
    dataDir: overrides.dataDir ?? base.dataDir,
    persistence: overrides.persistence ?? base.persistence,
    ports: { ...base.ports, ...overrides.ports },
  });
}

function describe(address: BrowserHostAddress, status: EmulatorStatusDto, clusterNode: string | undefined): string {
  const info = status.info;
  const hub = info
    ? [
        `  MQTT over TLS     ${info.hostName}:${info.ports.mqtts}`,
        `  HTTPS (REST, WS)  ${info.ports.https === null ? 'off' : `${info.hostName}:${info.ports.https}`}`,
        `  AMQP over TLS     ${info.ports.amqps === null ? 'off' : `${info.hostName}:${info.ports.amqps}`}`,
        `  data folder       ${info.dataDir}`,
        `  CA certificate    ${info.caCertPath}`,
        `  service connection string: ${info.serviceConnectionString}`,
        ...(clusterNode === undefined ? [] : [`  cluster node      ${clusterNode} (Settings → Cluster lists every node)`]),
        ...info.warnings.map((warning) => `  WARNING: ${warning}`),
      ]
    : [`  The hub is not running: ${status.error ?? 'unknown error'} (change its ports in Settings).`];
  return [
    'Twin Studio in your browser (browser mode)',
    '',
    `  Open ${address.url}`,
    '',
    'IoT Hub emulator',
    ...hub,
    '',
    'Ctrl+C stops the studio and the hub.',
    '',
  ].join('\n');
}

function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : [process.platform === 'darwin' ? 'open' : 'xdg-open', [url]];
  const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`Could not open a browser; open ${url} yourself.\n`));
  child.unref();
}

/** Runs until SIGINT/SIGTERM. */
export async function main(argv: readonly string[]): Promise<void> {
  let stop: () => Promise<void>;
  try {
    stop = await runBrowserMode(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${BROWSER_USAGE}\n`);
    process.exit(2);
  }
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping the studio and the hub…\n`);
    void stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

