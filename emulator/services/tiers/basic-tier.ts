import type { OperationFamily } from '../operation-families.js';

// What a Basic hub (B1–B3) does not have (iothub-protocol-2.md §10.1: "no C2D, twins, methods, jobs,
// configurations, Edge, PnP"). Read by the tier check, which refuses these with 403010
// OperationNotAvailableInCurrentTier; everything else (D2C, identity registry, queries, file upload, import/export
// jobs, the device side of C2D, which stays empty) works as on a standard hub.

/** Families a Basic hub refuses whole: twin reads and updates (device and service side, digital twins too), direct methods and digital twin commands, C2D sends, configurations. */
const STANDARD_ONLY_FAMILIES: ReadonlySet<OperationFamily> = new Set<OperationFamily>(['twinRead', 'twinUpdate', 'directMethod', 'cloudToDeviceSend', 'configurations']);

/** Feature names for the refusal's message, by family. */
const FEATURE_OF: Readonly<Partial<Record<OperationFamily, string>>> = {
  twinRead: 'device twins',
  twinUpdate: 'device twins',
  directMethod: 'direct methods',
  cloudToDeviceSend: 'cloud-to-device messages',
  configurations: 'automatic device management (configurations)',
};

/**
 * The standard-tier feature a request needs, or undefined when a Basic hub serves it. `operation` is the request
 * context's operation (a transport's dotted name or `METHOD /route/pattern`), for what its family alone does not
 * tell: scheduled jobs (`/jobs/v2/…`, standard only) versus import/export jobs (`/jobs/create`, Basic too), and
 * purging a C2D queue (`DELETE /devices/{deviceId}/commands`).
 */
export function standardOnlyFeature(family: OperationFamily, operation: string): string | undefined {
  if (STANDARD_ONLY_FAMILIES.has(family)) return FEATURE_OF[family];
  const path = operation.slice(operation.indexOf(' ') + 1);
  if (path.startsWith('/jobs/v2')) return 'scheduled jobs';
  if (path === '/devices/{deviceId}/commands') return 'cloud-to-device messages';
  return undefined;
}

/** True for B1, B2 and B3. */
export function isBasicTier(tier: string): boolean {
  return tier.startsWith('B');
}
