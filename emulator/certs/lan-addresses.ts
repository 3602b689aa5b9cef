import { isIP } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';

/** The shape of `os.networkInterfaces()`, injectable so address discovery is testable. */
export type NetworkInterfaceMap = Readonly<Record<string, readonly NetworkInterfaceInfo[] | undefined>>;

/**
 * The machine's non-internal IPv4 and IPv6 addresses, so devices on the LAN can reach the emulator by IP and still
 * pass certificate verification. Loopback (`internal`) is skipped because the certificate always lists 127.0.0.1 and
 * ::1; IPv6 link-local (fe80::/10) is skipped because it only works with a zone id (`%eth0`), which cannot appear in a
 * certificate or a host name. Order follows the map; duplicates (one address on two interfaces) appear once.
 */
export function listLanAddresses(interfaces: NetworkInterfaceMap): string[] {
  const found = new Set<string>();
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      const address = stripZone(entry.address);
      const family = isIP(address);
      if (family === 0) continue;
      if (family === 6 && isIpv6LinkLocal(address)) continue;
      found.add(family === 6 ? address.toLowerCase() : address);
    }
  }
  return [...found];
}

function stripZone(address: string): string {
  const percent = address.indexOf('%');
  return percent < 0 ? address : address.slice(0, percent);
}

function isIpv6LinkLocal(address: string): boolean {
  // fe80::/10 covers fe80 … febf in the first hextet.
  return /^fe[89ab][0-9a-f]:/i.test(address);
}
