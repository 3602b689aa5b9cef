import type { StudioSettings } from '../contract/dto.js';

/** Hub settings given on the command line. */
export interface SettingsOverrides {
  dataDir?: string;
  persistence?: StudioSettings['persistence'];
  ports?: { mqtts?: number; https?: number | null; mqtt?: number | null; amqps?: number | null };
}

/** Options of browser mode (`node dist/main/browser.js …`, or `npm start` without an Electron binary). */
export interface BrowserModeOptions {
  /** Port of the studio's own web server on 127.0.0.1; 0 = any free port. */
  readonly port: number;
  /** Hub settings given on the command line; when present they are used as-is and not saved. */
  readonly overrides: SettingsOverrides;
  readonly hostName?: string;
  /** `--store redis://…`: the hub's state in Redis; with `--cluster` the studio's hub is a node of that cluster. */
  readonly store?: string;
  readonly cluster?: { readonly nodeId?: string };
  readonly settingsFile?: string;
  /** Print one JSON line when ready (for scripts and tests). */
  readonly json: boolean;
  /** Open the system browser at the URL. */
  readonly open: boolean;
  readonly verbose: boolean;
  readonly help: boolean;
}

/** `--help` text. */
export const BROWSER_USAGE = `Usage: twin-studio-browser [options]

Serves Twin Studio to your browser on 127.0.0.1 and hosts the IoT Hub emulator.

  --port <n>          studio web port on 127.0.0.1 (default: any free port)
  --data-dir <dir>    hub data folder (default: the per-user app-data folder)
  --memory            keep the hub in memory only
  --mqtts-port <n>    MQTT/TLS port (default 8883; 0 = any free port)
  --https-port <n|off> HTTPS/WebSocket port (default 443, falls back to 8443)
  --mqtt-port <n|off> plain MQTT port (default off)
  --amqps-port <n|off> AMQP/TLS port for service apps (default 5671)
  --host-name <name>  host name put in connection strings (default localhost)
  --store <url>       keep the hub state in Redis (redis://host:port) instead of the data folder
  --cluster           run the studio's hub as a node of the cluster on the --store Redis (docs/cluster.md)
  --node-id <id>      its node id in the cluster (default: random)
  --settings <file>   settings file (default: next to the data folder)
  --json              print one JSON line when ready
  --open              open the system browser
  --verbose           log debug lines
  --help              show this text`;

function port(value: string | undefined, flag: string, allowOff: boolean): number | null {
  if (allowOff && value === 'off') return null;
  const number = Number(value);
  if (value === undefined || !Number.isInteger(number) || number < 0 || number > 65535) {
    throw new Error(`${flag} needs a port number 0-65535${allowOff ? " or 'off'" : ''}`);
  }
  return number;
}

/** Parses the command line; throws with a message naming the bad flag. */
export function parseBrowserArgs(argv: readonly string[]): BrowserModeOptions {
  const options: { -readonly [K in keyof BrowserModeOptions]: BrowserModeOptions[K] } = {
    port: 0, overrides: {}, json: false, open: false, verbose: false, help: false,
  };
  const ports: NonNullable<SettingsOverrides['ports']> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => argv[++i];
    switch (flag) {
      case '--port': options.port = port(next(), flag, false) ?? 0; break;
      case '--data-dir': options.overrides.dataDir = required(next(), flag); break;
      case '--memory': options.overrides.persistence = 'memory'; break;
      case '--mqtts-port': ports.mqtts = port(next(), flag, false) ?? 0; break;
      case '--https-port': ports.https = port(next(), flag, true); break;
      case '--mqtt-port': ports.mqtt = port(next(), flag, true); break;
      case '--amqps-port': ports.amqps = port(next(), flag, true); break;
      case '--host-name': options.hostName = required(next(), flag); break;
      case '--store': options.store = required(next(), flag); break;
      case '--cluster': options.cluster = { ...options.cluster }; break;
      case '--node-id': options.cluster = { ...options.cluster, nodeId: required(next(), flag) }; break;
      case '--settings': options.settingsFile = required(next(), flag); break;
      case '--json': options.json = true; break;
      case '--open': options.open = true; break;
      case '--verbose': options.verbose = true; break;
      case '--help': case '-h': options.help = true; break;
      default: throw new Error(`unknown option ${String(flag)}`);
    }
  }
  if (Object.keys(ports).length > 0) options.overrides.ports = ports;
  if (options.cluster && options.store === undefined) throw new Error('--cluster needs --store redis://…');
  return options;
}

/**
 * `--store <url>`, `--cluster` and `--node-id <id>` picked out of an argument list that has other options too (the
 * Electron app's, which include Chromium's): the studio's hub then joins that cluster (docs/cluster.md).
 */
export function clusterArgs(argv: readonly string[]): { store?: string; cluster?: { nodeId?: string } } {
  const at = (flag: string) => {
    const index = argv.indexOf(flag);
    return index < 0 ? undefined : argv[index + 1];
  };
  const store = at('--store');
  const nodeId = at('--node-id');
  if (store === undefined) return {};
  return { store, ...(argv.includes('--cluster') ? { cluster: nodeId === undefined ? {} : { nodeId } } : {}) };
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new Error(`${flag} needs a value`);
  return value;
}
