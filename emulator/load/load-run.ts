import { runBounded } from '../simulation/run-bounded.js';
import { createRandom } from '../simulation/seeded-random.js';
import { DesiredFanout } from './desired-fanout.js';
import { LoadDevice } from './load-device.js';
import { LoadMetrics } from './load-metrics.js';
import { buildLoadResult, type LoadResult } from './load-result.js';
import type { LoadOptions } from './load-options.js';
import { openLoadTarget, type LoadTarget } from './load-target.js';
import { ProcessSampler } from './process-sampler.js';

/** Runs the whole load test: target, register, connect, mix + desired fan-out for the duration, drain, report. */
export async function runLoad(options: LoadOptions, progress: (line: string) => void = () => undefined): Promise<LoadResult> {
  const startedAt = new Date().toISOString();
  const metrics = new LoadMetrics();
  const laps = new Laps();
  const target = await openLoadTarget(options.target);
  const hubStart = laps.lap();
  progress(`target: ${target.description}`);
  try {
    const measured = await exercise(target, options, metrics, laps, progress);
    return buildLoadResult(options, metrics, { ...measured, startedAt, target: target.description, phasesMs: { hubStart, ...measured.phasesMs } });
  } finally {
    await target.close();
  }
}

/** Register, connect, run the mix and the fan-out, drain, disconnect; returns what was measured on the way. */
async function exercise(target: LoadTarget, options: LoadOptions, metrics: LoadMetrics, laps: Laps, progress: (line: string) => void) {
  const ids = Array.from({ length: options.devices }, (_, i) => `${options.devicePrefix}${String(i + 1).padStart(5, '0')}`);
  const devices = await register(ids, target, metrics);
  const registerMs = laps.lap();
  progress(`registered ${devices.length}/${ids.length} devices in ${(registerMs / 1000).toFixed(1)} s`);

  const rssBefore = process.memoryUsage().rss;
  const fanout = new DesiredFanout(target, metrics);
  const connected = await connect(devices, options, fanout, metrics, progress);
  const connectMs = laps.lap();
  const rssAfter = process.memoryUsage().rss;
  progress(`connected ${connected.length}/${devices.length} devices in ${(connectMs / 1000).toFixed(1)} s`);

  const sampler = new ProcessSampler();
  sampler.start();
  const random = createRandom(options.seed);
  const payload = telemetryPayload(options.payloadBytes);
  for (const device of connected) device.startMix(options.mix, payload, random);
  fanout.start(connected, options.desiredFanout);
  progress(`running for ${options.durationSeconds} s…`);
  await new Promise((resolve) => setTimeout(resolve, options.durationSeconds * 1000));
  for (const device of connected) device.stopMix();
  fanout.stop();
  const runMs = laps.lap();

  await drain(metrics, fanout, 10_000);
  fanout.giveUp();
  const drainMs = laps.lap();
  sampler.stop();
  await runBounded(connected.map((device) => () => device.close()), 500);
  return {
    phasesMs: { register: registerMs, connect: connectMs, run: runMs, drain: drainMs },
    devices: { requested: ids.length, registered: devices.length, connected: connected.length },
    memory: { rssBefore, rssAfter, peakRss: sampler.peakRss, peakHeapUsed: sampler.peakHeapUsed },
    eventLoopDelayMs: sampler.loopDelayMs(),
  };
}

/** Milliseconds since the previous lap. */
class Laps {
  private mark = performance.now();

  lap(): number {
    const now = performance.now();
    const elapsed = Math.round(now - this.mark);
    this.mark = now;
    return elapsed;
  }
}

async function register(ids: readonly string[], target: LoadTarget, metrics: LoadMetrics): Promise<{ id: string; key: string }[]> {
  const keys = new Map<string, string>();
  await runBounded(
    ids.map((id) => async () => {
      try {
        keys.set(id, await target.ensureDevice(id));
      } catch (error) {
        metrics.failed('connect', new Error(`registration failed: ${(error as Error).message}`));
      }
    }),
    100,
  );
  return ids.flatMap((id) => (keys.has(id) ? [{ id, key: keys.get(id) ?? '' }] : []));
}

async function connect(
  devices: readonly { id: string; key: string }[],
  options: LoadOptions,
  fanout: DesiredFanout,
  metrics: LoadMetrics,
  progress: (line: string) => void,
): Promise<LoadDevice[]> {
  const connected: LoadDevice[] = [];
  const ticker = setInterval(() => progress(`connecting: ${connected.length}/${devices.length}`), 2000);
  try {
    await runBounded(
      devices.map(({ id, key }) => async () => {
        const device = new LoadDevice(id, key, fanout.target, metrics);
        if (await device.connect(options.desiredFanout > 0, (deviceId, patch) => fanout.delivered(deviceId, patch))) connected.push(device);
      }),
      options.connectConcurrency,
    );
  } finally {
    clearInterval(ticker);
  }
  return connected;
}

async function drain(metrics: LoadMetrics, fanout: DesiredFanout, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((metrics.inFlight > 0 || fanout.pending > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** A JSON telemetry body of about `bytes` bytes. */
function telemetryPayload(bytes: number): string {
  const base = JSON.stringify({ temperature: 21.5, humidity: 40, pad: '' });
  return JSON.stringify({ temperature: 21.5, humidity: 40, pad: 'x'.repeat(Math.max(0, bytes - base.length)) });
}
