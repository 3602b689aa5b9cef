import { defaultDataDir } from '../../emulator/index.js';
import { studioSettingsSchema } from '../contract/channels.js';
import type { StudioSettings } from '../contract/dto.js';

/** IoT Hub's own ports (iothub-protocol.md §1): the SDKs work without a GatewayHostName on them. */
export function defaultSettings(): StudioSettings {
  return { ports: { mqtts: 8883, https: 443, mqtt: null, amqps: 5671 }, dataDir: defaultDataDir(), persistence: 'file' };
}

/** Reads settings from untrusted JSON (a settings file), filling gaps from the defaults; never throws. */
export function parseSettings(value: unknown): StudioSettings {
  const defaults = defaultSettings();
  if (typeof value !== 'object' || value === null) return defaults;
  const candidate = value as Partial<StudioSettings>;
  const merged = {
    ports: { ...defaults.ports, ...(typeof candidate.ports === 'object' ? candidate.ports : {}) },
    dataDir: typeof candidate.dataDir === 'string' && candidate.dataDir ? candidate.dataDir : defaults.dataDir,
    persistence: candidate.persistence ?? defaults.persistence,
    ...(candidate.reach === undefined ? {} : { reach: candidate.reach }),
    ...(candidate.tier === undefined ? {} : { tier: candidate.tier }),
    ...(candidate.lenient === undefined ? {} : { lenient: candidate.lenient }),
  };
  const parsed = studioSettingsSchema.safeParse(merged);
  return parsed.success ? parsed.data : defaults;
}
