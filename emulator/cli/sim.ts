#!/usr/bin/env node
// `npm run sim -- <command>`: simulated devices of a hub's data folder (see SIM_USAGE). Every command but `serve`
// edits <data-dir>/simulations.json and returns; `serve` hosts the hub and its simulations until Ctrl+C.
import { consoleLogger, createEmulator, createSimulationManager } from '../index.js';
import { HUB_USAGE, parseHubArgs } from './hub-args.js';
import { parseSimArgs, SIM_USAGE, type SimCommand } from './sim-args.js';
import { runSimCommand, type CliIo } from './sim-commands.js';

const io: CliIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

async function main(): Promise<number> {
  let command: SimCommand;
  try {
    command = parseSimArgs(process.argv.slice(2));
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${SIM_USAGE}\n`);
    return 2;
  }
  if (command.name === 'help') {
    io.out(`${SIM_USAGE}\n`);
    return 0;
  }
  if (command.name === 'serve') return serve(command.hubArgs);
  try {
    return await runSimCommand(command, io);
  } catch (error) {
    io.err(`${(error as Error).message}\n`);
    return 1;
  }
}

/** Starts the hub on the data folder with its simulation manager and keeps running until a signal. */
async function serve(hubArgs: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseHubArgs(hubArgs);
  } catch (error) {
    io.err(`${(error as Error).message}\n\nserve takes the hub's options:\n${HUB_USAGE}\n`);
    return 2;
  }
  const logger = consoleLogger(options.verbose);
  const hub = createEmulator({ ...options.config, logger });
  const info = await hub.start();
  const manager = await createSimulationManager(hub, { logger });
  const simulations = manager.list();
  const running = simulations.filter((simulation) => simulation.status.state === 'running').length;
  const ready = { event: 'ready', ...info, simulations: simulations.length, running };
  io.out(
    options.json
      ? `${JSON.stringify(ready)}\n`
      : [
          `Twin Studio hub with simulated devices`,
          `  MQTT over TLS     ${info.hostName}:${info.ports.mqtts}`,
          `  HTTPS (REST, WS)  ${info.ports.https === null ? 'off' : `${info.hostName}:${info.ports.https}`}`,
          `  data folder       ${info.dataDir}`,
          `  simulations       ${simulations.length} (${running} running)`,
          ...info.warnings.map((warning) => `WARNING: ${warning}`),
          '',
          'hub ready; manage simulations with "npm run sim -- <command> --data-dir <data folder>" (Ctrl+C to stop)',
          '',
        ].join('\n'),
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      io.err(`${signal}: stopping simulations and the hub…\n`);
      void manager
        .close()
        .then(() => hub.stop())
        .then(() => resolve(0));
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    io.err(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
