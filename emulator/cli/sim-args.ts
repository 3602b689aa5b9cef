import { parseArgs } from 'node:util';

import { defaultDataDir } from '../index.js';
import type { RunState } from '../simulation/simulation-store.js';

/** A parsed `npm run sim` command line. */
export type SimCommand =
  | { readonly name: 'help' }
  | { readonly name: 'list' | 'profiles'; readonly dataDir: string; readonly json: boolean }
  | { readonly name: 'validate'; readonly files: readonly string[]; readonly json: boolean }
  | {
      readonly name: 'create';
      readonly dataDir: string;
      readonly json: boolean;
      readonly wait: boolean;
      readonly deviceId: string;
      readonly profile: string;
      readonly count: number | undefined;
      readonly runState: RunState;
    }
  | {
      readonly name: 'start' | 'pause' | 'stop' | 'delete';
      readonly dataDir: string;
      readonly json: boolean;
      readonly wait: boolean;
      readonly deviceIds: readonly string[];
      readonly all: boolean;
    }
  | { readonly name: 'serve'; readonly hubArgs: readonly string[] };

/** Usage text of `npm run sim`. */
export const SIM_USAGE = `Usage: npm run sim -- <command> [options]

Simulated devices of a hub's data folder. Changes are saved in <data-dir>/simulations.json; the process that hosts
the hub (the studio, or "npm run sim -- serve") applies them within a second and shows live status. When no host
runs, they are applied at its next start.

Commands:
  list                          simulated devices: run state, live state, counters, last error
  profiles                      built-in profiles (assets/profiles)
  validate <profile.json>...    check profile files; prints every problem with its field
  create <device-id> --profile <name|file.json> [--count <n>] [--stopped|--paused]
                                add a simulated device (with --count: <device-id>-1 … <device-id>-<n>);
                                the device identity is registered by the host if it does not exist
  start <device-id>...          start, or resume a paused device
  pause <device-id>...          freeze: stays connected, no reports, no answers
  stop <device-id>...           disconnect
  delete <device-id>...         remove the simulation (the device identity stays in the registry)
  serve [hub options]           start the hub on the data folder and run its simulations until Ctrl+C;
                                hub options as for "npm run hub" (e.g. --mqtts-port 8884 --https-port off)

Options:
  --data-dir <dir>   data folder (default: per-user app-data folder, or $TWIN_STUDIO_DATA_DIR)
  --all              start/pause/stop/delete every simulated device
  --json             machine-readable output
  --no-wait          do not wait for the running host to apply the change
  -h, --help         this text`;

const RUN_STATE_COMMANDS = new Set(['start', 'pause', 'stop', 'delete']);

/** Parses argv; throws an Error naming the bad option or argument. */
export function parseSimArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SimCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '-h' || command === '--help') return { name: 'help' };
  if (command === 'serve') return { name: 'serve', hubArgs: rest };
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string' },
      profile: { type: 'string' },
      count: { type: 'string' },
      stopped: { type: 'boolean', default: false },
      paused: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return { name: 'help' };
  const dataDir = values['data-dir'] ?? defaultDataDir(env);
  const json = values.json === true;
  const wait = !values['no-wait'];
  if (command === 'list' || command === 'profiles') return { name: command, dataDir, json };
  if (command === 'validate') {
    if (positionals.length === 0) throw new Error('validate needs at least one profile file');
    return { name: 'validate', files: positionals, json };
  }
  if (command === 'create') return parseCreate(positionals, values, { dataDir, json, wait });
  if (RUN_STATE_COMMANDS.has(command)) {
    if (positionals.length === 0 && !values.all) throw new Error(`${command} needs device ids, or --all`);
    return { name: command as 'start', dataDir, json, wait, deviceIds: positionals, all: values.all === true };
  }
  throw new Error(`unknown command "${command}"`);
}

function parseCreate(
  positionals: readonly string[],
  values: { profile?: string | undefined; count?: string | undefined; stopped?: boolean | undefined; paused?: boolean | undefined },
  common: { dataDir: string; json: boolean; wait: boolean },
): SimCommand {
  const [deviceId, ...extra] = positionals;
  if (deviceId === undefined) throw new Error('create needs a device id');
  if (extra.length > 0) throw new Error(`create takes one device id (use --count for many), got also: ${extra.join(' ')}`);
  if (!values.profile) throw new Error('create needs --profile <name|file.json>');
  if (values.stopped && values.paused) throw new Error('use either --stopped or --paused, not both');
  let count: number | undefined;
  if (values.count !== undefined) {
    count = Number(values.count);
    if (!/^\d+$/.test(values.count) || count < 1 || count > 10_000) throw new Error(`--count must be a whole number 1-10000, got '${values.count}'`);
  }
  const runState: RunState = values.stopped ? 'stopped' : values.paused ? 'paused' : 'running';
  return { name: 'create', ...common, deviceId, profile: values.profile, count, runState };
}
