import type { HubEmulator, TrafficEvent } from '../../emulator/index.js';

/** Resolves with the first traffic event matching `predicate` (also one already in the tap's recent buffer). */
export function waitForTraffic(
  hub: HubEmulator,
  predicate: (event: TrafficEvent) => boolean,
  timeoutMs = 10_000,
): Promise<TrafficEvent> {
  const seen = hub.tap.snapshot().find(predicate);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      dispose();
      reject(new Error(`no matching traffic within ${timeoutMs} ms`));
    }, timeoutMs);
    const dispose = hub.events.on('traffic', (event) => {
      if (!predicate(event)) return;
      clearTimeout(timer);
      dispose();
      resolve(event);
    });
  });
}

/** Waits until the device's SUBSCRIBE for `filter` was granted (SDK listeners subscribe asynchronously, §6.8). */
export function waitForSubscription(hub: HubEmulator, deviceId: string, filter: string): Promise<TrafficEvent> {
  return waitForTraffic(
    hub,
    (event) => event.kind === 'subscribe' && event.deviceId === deviceId && event.payload.includes(`${filter} → QoS`),
  );
}

/** Polls `check` (which may be async, e.g. a REST call) until it returns true. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
