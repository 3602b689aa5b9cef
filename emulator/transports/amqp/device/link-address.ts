import type { TwinAddress } from '../../../model/twin-address.js';

/** What a device link is for (iothub-protocol-2.md §3.3). */
export type DeviceLinkKind = 'telemetry' | 'c2d' | 'moduleInput' | 'methods' | 'twin';

/** A parsed device link address: the identity it names and the feature. */
export interface DeviceLinkAddress {
  readonly address: TwinAddress;
  readonly kind: DeviceLinkKind;
}

const DEVICE_LINK = /^\/devices\/([^/]+)(?:\/modules\/([^/]+))?\/(messages\/events|messages\/devicebound|methods\/devicebound|twin)\/?$/i;

/**
 * The identity and feature of a device link address (`/devices/<d>[/modules/<m>]/<feature>`), or undefined for an
 * address that is not a device link. The role decides between the two meanings of `…/messages/events`: the device
 * sends telemetry to it (our receiver), a module receives its input messages from it (our sender).
 */
export function parseDeviceLinkAddress(raw: unknown, ourRole: 'sender' | 'receiver'): DeviceLinkAddress | undefined {
  if (typeof raw !== 'string') return undefined;
  const match = DEVICE_LINK.exec(raw);
  if (!match?.[1] || !match[3]) return undefined;
  const deviceId = decodeSegment(match[1]);
  const moduleId = match[2] === undefined ? undefined : decodeSegment(match[2]);
  if (deviceId === undefined || (match[2] !== undefined && moduleId === undefined)) return undefined;
  const address: TwinAddress = moduleId === undefined ? { deviceId } : { deviceId, moduleId };
  const feature = match[3].toLowerCase();
  const kind = kindOf(feature, ourRole, moduleId !== undefined);
  return kind === undefined ? undefined : { address, kind };
}

function kindOf(feature: string, ourRole: 'sender' | 'receiver', isModule: boolean): DeviceLinkKind | undefined {
  switch (feature) {
    case 'messages/events':
      if (ourRole === 'receiver') return 'telemetry';
      return isModule ? 'moduleInput' : undefined;
    case 'messages/devicebound':
      // Devices receive C2D; modules have no C2D queue (iothub-protocol.md §3.6).
      return ourRole === 'sender' && !isModule ? 'c2d' : undefined;
    case 'methods/devicebound':
      return 'methods';
    case 'twin':
      return 'twin';
    default:
      return undefined;
  }
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
