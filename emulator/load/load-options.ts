import { parseArgs } from 'node:util';

/** Operations a load device performs, with their per-device rates. */
export interface OperationMix {
  /** Reported-property patches per device per second. */
  readonly reported: number;
  /** Twin GETs per device per second. */
  readonly get: number;
  /** Telemetry messages (QoS 1) per device per second. */
  readonly telemetry: number;
}

/** Where the load goes. */
export type LoadTargetOptions =
  | { readonly kind: 'in-process'; readonly persistence: 'file' | 'memory'; readonly fsync: boolean }
  | {
      readonly kind: 'remote';
      /** `HostName=…;SharedAccessKeyName=…;SharedAccessKey=…` of a policy with registry write and service connect. */
      readonly connectionString: string;
      readonly caPath: string;
      readonly mqttsPort: number;
      /** `--mqtts-ports`: several MQTT ports (the nodes of a cluster); devices connect round-robin. */
      readonly mqttsPorts?: readonly number[];
      readonly httpsPort: number;
      readonly connectHost?: string;
    };

/** Everything a load run needs. */
export interface LoadOptions {
  readonly devices: number;
  readonly durationSeconds: number;
  readonly mix: OperationMix;
  /** Desired patches per second from the service side, round-robin over the devices. */
  readonly desiredFanout: number;
  readonly connectConcurrency: number;
  readonly payloadBytes: number;
  readonly devicePrefix: string;
  readonly seed: number;
  readonly target: LoadTargetOptions;
  /** JSON result file; default `bench-results/load-<devices>-<timestamp>.json`. */
  readonly outPath: string | undefined;
  readonly json: boolean;
}

/** Usage text of `npm run load`. */
export const LOAD_USAGE = `Usage: npm run load -- [options]

Puts load on a hub: N devices over MQTT/TLS doing a mix of reported patches, twin GETs and telemetry, plus
desired patches from the service side; prints throughput, latency percentiles and errors, and writes them as JSON.

  --devices <n>              devices (default 100; up to 10000)
  --duration <s>             seconds of load after all devices connected (default 30)
  --mix <k=v,...>            per-device rates in operations per second (default reported=0.1,get=0.02,telemetry=0.2)
                             e.g. --mix reported=0.5,get=0.1,telemetry=1
  --desired-fanout <n>       desired patches per second from the service side, round-robin (default 0)
  --connect-concurrency <n>  connections opened at once (default 100)
  --payload-bytes <n>        telemetry body size (default 128)
  --prefix <id>              device id prefix (default load-)
  --seed <n>                 random seed for start offsets and values (default 1)
  --out <file.json>          result file (default bench-results/load-<devices>-<time>.json)
  --json                     print the result JSON instead of the table

Target (default: an in-process hub in a temp folder on free ports):
  --memory                   in-process hub keeps twins in memory (default: file store, like the studio)
  --no-fsync                 in-process hub does not fsync its writes
  --connection "<cs>"        an existing hub: its service connection string (iothubowner); devices are registered
                             through its REST API and desired patches go through REST
  --ca <ca.pem>              the existing hub's CA certificate (required with --connection)
  --mqtts-port <n>           its MQTT over TLS port (default 8883)
  --mqtts-ports <n,n,…>      several MQTT over TLS ports (a hub cluster's nodes, docs/cluster.md): devices
                             connect to them round-robin
  --https-port <n>           its REST port (default 443)
  --connect-host <host>      dial this host instead of the HostName in the connection string
  -h, --help                 this text`;

/** Parses argv; `help` when asked for. Throws an Error naming the bad option. */
export function parseLoadArgs(argv: readonly string[]): LoadOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      devices: { type: 'string' },
      duration: { type: 'string' },
      mix: { type: 'string' },
      'desired-fanout': { type: 'string' },
      'connect-concurrency': { type: 'string' },
      'payload-bytes': { type: 'string' },
      prefix: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      memory: { type: 'boolean', default: false },
      'no-fsync': { type: 'boolean', default: false },
      connection: { type: 'string' },
      ca: { type: 'string' },
      'mqtts-port': { type: 'string' },
      'mqtts-ports': { type: 'string' },
      'https-port': { type: 'string' },
      'connect-host': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  return {
    devices: integer('devices', values.devices, 100, 1, 100_000),
    durationSeconds: number('duration', values.duration, 30, 0, 86_400),
    mix: parseMix(values.mix ?? 'reported=0.1,get=0.02,telemetry=0.2'),
    desiredFanout: number('desired-fanout', values['desired-fanout'], 0, 0, 100_000),
    connectConcurrency: integer('connect-concurrency', values['connect-concurrency'], 100, 1, 10_000),
    payloadBytes: integer('payload-bytes', values['payload-bytes'], 128, 16, 256 * 1024),
    devicePrefix: values.prefix ?? 'load-',
    seed: integer('seed', values.seed, 1, 0, 2 ** 31),
    target: parseTarget(values),
    outPath: values.out,
    json: values.json === true,
  };
}

/** `reported=0.5,get=0.1,telemetry=1` → rates; unknown names and bad numbers are errors naming them. */
export function parseMix(text: string): OperationMix {
  const mix: Record<keyof OperationMix, number> = { reported: 0, get: 0, telemetry: 0 };
  for (const part of text.split(',').map((item) => item.trim()).filter(Boolean)) {
    const [name, raw] = part.split('=');
    if (name === undefined || raw === undefined || !(name in mix)) {
      throw new Error(`--mix: "${part}" is not <reported|get|telemetry>=<per-device ops per second>`);
    }
    mix[name as keyof OperationMix] = number(`mix ${name}`, raw, 0, 0, 1000);
  }
  return mix;
}

function parseTarget(values: Record<string, string | boolean | undefined>): LoadTargetOptions {
  const connection = values.connection;
  if (typeof connection !== 'string') {
    return { kind: 'in-process', persistence: values.memory ? 'memory' : 'file', fsync: !values['no-fsync'] };
  }
  if (typeof values.ca !== 'string') throw new Error('--connection needs --ca <the hub CA certificate>');
  const connectHost = typeof values['connect-host'] === 'string' ? values['connect-host'] : undefined;
  return {
    kind: 'remote',
    connectionString: connection,
    caPath: values.ca,
    mqttsPort: integer('mqtts-port', values['mqtts-port'] as string | undefined, 8883, 1, 65535),
    httpsPort: integer('https-port', values['https-port'] as string | undefined, 443, 1, 65535),
    ...(connectHost ? { connectHost } : {}),
    ...(typeof values['mqtts-ports'] === 'string' ? { mqttsPorts: values['mqtts-ports'].split(',').map((port) => integer('mqtts-ports', port.trim(), 8883, 1, 65535)) } : {}),
  };
}

function number(option: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`--${option} must be a number from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function integer(option: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  const value = number(option, raw, fallback, min, max);
  if (!Number.isInteger(value)) throw new Error(`--${option} must be a whole number, got '${raw}'`);
  return value;
}
