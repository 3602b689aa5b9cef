import type { HubEmulator, JsonObject } from '../../emulator/index.js';

const REGIONS = ['US', 'EU', 'ASIA', 'SA', 'AU'];

/** A deterministic twin body for device `index`: tags and desired through the service API. */
function serviceSide(index: number): JsonObject {
  return {
    tags: {
      location: { region: REGIONS[index % REGIONS.length] ?? 'US', building: `b${index % 100}` },
      environment: index % 5 === 0 ? 'staging' : 'prod',
      owner: `team-${index % 17}`,
    },
    properties: { desired: { telemetryInterval: 30 + (index % 4) * 30, firmware: '1.4.2' } },
  };
}

/** What the device reports. */
function reported(index: number): JsonObject {
  return { firmware: '1.4.2', battery: (index * 37) % 100, temperature: 20 + (index % 10) };
}

/**
 * Registers `count` devices `<prefix><index>` and gives each a twin of about 1 KB as stored (tags, desired and
 * reported with their `$metadata`; ~1.5 KB with the identity and keys), all through the hub's own services, so the data file is exactly what a real
 * hub would write. Work goes in chunks of `chunk` devices: within a chunk every step is one Promise.all, which
 * group commit turns into one write.
 */
export async function populateTwins(hub: HubEmulator, count: number, options: { prefix?: string; chunk?: number; key?: string } = {}): Promise<void> {
  const prefix = options.prefix ?? 'dev-';
  const chunk = options.chunk ?? 20_000;
  const key = options.key;
  for (let start = 0; start < count; start += chunk) {
    const indexes = Array.from({ length: Math.min(chunk, count - start) }, (_, i) => start + i);
    await Promise.all(
      indexes.map((i) =>
        hub.registry.create({ deviceId: `${prefix}${i}`, ...(key ? { authentication: { symmetricKey: { primaryKey: key, secondaryKey: key } } } : {}) }),
      ),
    );
    await Promise.all(indexes.map((i) => hub.twins.updateTwin(`${prefix}${i}`, serviceSide(i))));
    await Promise.all(indexes.map((i) => hub.twins.patchReported(`${prefix}${i}`, reported(i))));
  }
}

/** Average stored size in bytes of a device record and of its twin part, measured on a sample. */
export function averageRecordBytes(hub: HubEmulator, prefix = 'dev-', sample = 200): { record: number; twin: number } {
  let record = 0;
  let twin = 0;
  let seen = 0;
  for (let i = 0; i < sample; i++) {
    const found = hub.registry.find(`${prefix}${i}`);
    if (!found) break;
    record += JSON.stringify(found).length;
    twin += JSON.stringify(found.twin).length;
    seen += 1;
  }
  return seen === 0 ? { record: 0, twin: 0 } : { record: Math.round(record / seen), twin: Math.round(twin / seen) };
}
