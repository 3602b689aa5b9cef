// The hub's client kit (house-style H4): the few hub internals that its clients — simulated devices
// (emulator/simulation), the load generator (emulator/load) and the CLI (emulator/cli) — need, exported deliberately
// instead of deep-imported. emulator/index.ts re-exports all of it. Clients import this file or index.ts only
// (eslint zones `clients/*`); emulator/simulation uses this file for values because index.ts re-exports the
// simulation, and a value import of index.ts from there would be an import cycle.

/** SAS tokens as devices and service clients sign them (iothub-protocol.md §3). */
export { createSasToken, type CreateSasTokenOptions } from './auth/sas-token.js';
/** `HostName=…;DeviceId=…;SharedAccessKey=…` → its key/value pairs. */
export { parseConnectionString } from './auth/connection-string.js';
/** The `k1=v1&k2=v2` property bag of telemetry topics, encoded as the hub expects it. */
export { encodePropertyBag } from './transports/mqtt/property-bag.js';
/** A method or twin payload as devices read it: empty → null, JSON → its value, else the text. */
export { parseDevicePayload } from './services/method-service.js';
/** The registry's device id rule (length and characters). */
export { checkDeviceId } from './services/identity-rules.js';
/** The crash-safe JSON file (temp file + fsync + rename) the hub's own store uses, as a lowdb adapter. */
export { AtomicJsonFile, type AtomicJsonFileOptions } from './store/atomic-json-file.js';
export { StoreCorruptError } from './store/store-corrupt-error.js';
export { IotHubError } from './errors/iothub-error.js';
/** IoT Hub's tiers and their per-unit limits (services/tiers/tier-table.ts), for the CLI's options and help. */
export { HUB_TIERS, MAX_UNITS, isHubTier, tierLimits, type HubTier } from './services/tiers/tier-table.js';
