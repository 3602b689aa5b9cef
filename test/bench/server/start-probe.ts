// Child process of benchmark 3: one cold measurement in a fresh process (no warm JIT, no cached file pages of
// our own). `hub <dataDir>` times createEmulator + start() over a persisted data file; `parse <dataDir>` times
// readFile + JSON.parse of the same file. Prints one JSON line.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createEmulator } from '../../../emulator/index.js';

const [mode, dataDir] = process.argv.slice(2);
if ((mode !== 'hub' && mode !== 'parse') || dataDir === undefined) throw new Error('usage: start-probe.ts hub|parse <dataDir>');
const start = performance.now();
if (mode === 'hub') {
  const hub = createEmulator({ dataDir, bindAddress: '127.0.0.1', ports: { mqtts: 0, https: 0, httpsFallback: null, amqps: null } });
  await hub.start();
  const ms = performance.now() - start;
  const devices = Array.from(hub.registry.all()).length;
  process.stdout.write(`${JSON.stringify({ ms, rss: process.memoryUsage().rss, devices })}\n`);
  await hub.stop();
} else {
  const state = JSON.parse(await readFile(join(dataDir, 'hub.json'), 'utf8')) as { devices: object };
  const ms = performance.now() - start;
  process.stdout.write(`${JSON.stringify({ ms, rss: process.memoryUsage().rss, devices: Object.keys(state.devices).length })}\n`);
}
