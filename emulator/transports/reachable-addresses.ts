import { networkInterfaces } from 'node:os';

import { listLanAddresses, type NetworkInterfaceMap } from '../certs/lan-addresses.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const ANY = new Set(['::', '0.0.0.0', '']);

/**
 * The addresses devices can use to reach a hub listening on `bindAddress`: the host name and loopback always; the
 * machine's LAN addresses too when it listens on every interface (`::` or `0.0.0.0`), which is what the studio
 * shows under "who can connect". A hub bound to one LAN address is reachable at that address only.
 */
export function reachableAddresses(bindAddress: string, hostName: string, interfaces: NetworkInterfaceMap = networkInterfaces()): string[] {
  const local = [hostName, '127.0.0.1'];
  if (LOOPBACK.has(bindAddress)) return unique(local);
  if (ANY.has(bindAddress)) return unique([...local, ...listLanAddresses(interfaces)]);
  return [bindAddress];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
