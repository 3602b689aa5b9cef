import type { DeviceSummary } from '../../../main/contract/index.js';

/** Which devices the list shows. */
export interface DeviceFilter {
  readonly text: string;
  readonly state: 'all' | 'connected' | 'disconnected' | 'disabled';
}

/** One collator for every sort: `localeCompare` with options builds one per call, which is slow on 10,000 ids. */
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Orders device ids as people read them (dev-2 before dev-10, case-insensitive). */
export const compareIds = (a: string, b: string): number => collator.compare(a, b);

/** The devices matching `filter`, sorted by id (case-insensitive, numbers in order: dev-2 before dev-10). */
export function filterDevices(devices: Iterable<DeviceSummary>, filter: DeviceFilter): DeviceSummary[] {
  const needle = filter.text.trim().toLowerCase();
  return [...devices]
    .filter((device) => !needle || device.deviceId.toLowerCase().includes(needle))
    .filter((device) => {
      switch (filter.state) {
        case 'connected': return device.connectionState === 'Connected';
        case 'disconnected': return device.connectionState === 'Disconnected';
        case 'disabled': return device.status === 'disabled';
        default: return true;
      }
    })
    .sort((a, b) => compareIds(a.deviceId, b.deviceId));
}
