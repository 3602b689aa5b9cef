import { readFile } from 'node:fs/promises';

import { parseScenario, type FaultScenario, type HubEmulator, type TrafficEvent } from '../index.js';

/** Reads and checks `--scenario <file>`; a bad file throws with the file and the path of the bad field. */
export async function readScenario(file: string): Promise<FaultScenario> {
  return parseScenario(await readFile(file, 'utf8'), file);
}

/**
 * Prints traffic as the CLI's log: with `--traffic-log` every event, otherwise only injected faults (when a scenario
 * runs). JSON lines with `--json`, readable lines otherwise. Returns the function that stops printing.
 */
export function printTraffic(hub: HubEmulator, options: { all: boolean; json: boolean }): () => void {
  return hub.events.on('traffic', (event) => {
    if (!options.all && event.kind !== 'fault') return;
    process.stdout.write(options.json ? `${JSON.stringify({ event: 'traffic', ...event })}\n` : `${describeTraffic(event)}\n`);
  });
}

/** Replays the scenario and prints "scenario done" when its last step has run. */
export function runScenario(hub: HubEmulator, scenario: FaultScenario, json: boolean): void {
  const run = hub.faults.runScenario(scenario);
  void run.done.then(() => process.stdout.write(json ? `${JSON.stringify({ event: 'scenarioDone', steps: scenario.steps.length })}\n` : 'scenario done\n'));
}

function describeTraffic(event: TrafficEvent): string {
  const who = event.deviceId === undefined ? '(hub)' : event.moduleId === undefined ? event.deviceId : `${event.deviceId}/${event.moduleId}`;
  return `${event.time} ${event.protocol.padEnd(4)} ${event.direction.padEnd(3)} ${event.kind.padEnd(9)} ${who} ${event.topic}${event.payload === '' ? '' : ` ${event.payload.slice(0, 200)}`}`;
}
