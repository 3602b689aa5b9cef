import { isIP } from 'node:net';
import type { X509Certificate } from 'node:crypto';

/** Subject Alternative Names of the server certificate. */
export interface SanList {
  /** DNS names, lower case. */
  dnsNames: string[];
  /** IPv4 / IPv6 addresses in Node's textual form (IPv6 lower case, no zone id). */
  ipAddresses: string[];
}

/** Input of {@link buildSanList}. */
export interface SanSources {
  /** `os.hostname()` of this machine; ignored when empty. */
  machineHostName: string;
  /** Non-internal addresses of this machine (see `listLanAddresses`). */
  lanAddresses: readonly string[];
  /** Extra names from the caller; entries that are IP addresses are treated as IP addresses. */
  hostNames?: readonly string[];
  /** Extra addresses from the caller; entries that are not IP addresses are ignored. */
  ipAddresses?: readonly string[];
}

/**
 * The SANs the server certificate must carry: DNS `localhost`, the machine's host name and any extra names; IP
 * 127.0.0.1, ::1, the LAN addresses and any extra addresses. Deduplicated, in that order. Every SDK checks the server
 * certificate against the connection-string host or GatewayHostName (iothub-protocol.md §1), and sdk-notes.md §2
 * relies on `HostName=127.0.0.1` working through the IP SAN.
 */
export function buildSanList(sources: SanSources): SanList {
  const dnsNames = new Set<string>(['localhost']);
  const ipAddresses = new Set<string>(['127.0.0.1', '::1']);
  const addName = (name: string): void => {
    const address = normalizeIp(name);
    if (address !== undefined) ipAddresses.add(address);
    else {
      const dns = normalizeDnsName(name);
      if (dns !== undefined) dnsNames.add(dns);
    }
  };
  addName(sources.machineHostName);
  for (const name of sources.hostNames ?? []) addName(name);
  for (const candidate of [...sources.lanAddresses, ...(sources.ipAddresses ?? [])]) {
    const address = normalizeIp(candidate);
    if (address !== undefined) ipAddresses.add(address);
  }
  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] };
}

/** Union of two SAN lists, `first` entries first. */
export function mergeSanLists(first: SanList, second: SanList): SanList {
  return {
    dnsNames: [...new Set([...first.dnsNames, ...second.dnsNames])],
    ipAddresses: [...new Set([...first.ipAddresses, ...second.ipAddresses])],
  };
}

/** The SAN entries of `wanted` that `certificate` does not cover, using OpenSSL's own host/IP matching. */
export function missingSans(certificate: X509Certificate, wanted: SanList): SanList {
  return {
    dnsNames: wanted.dnsNames.filter((name) => certificate.checkHost(name, { subject: 'never' }) === undefined),
    ipAddresses: wanted.ipAddresses.filter((address) => certificate.checkIP(address) === undefined),
  };
}

/** True when the list has no entries. */
export function isEmptySanList(list: SanList): boolean {
  return list.dnsNames.length === 0 && list.ipAddresses.length === 0;
}

function normalizeIp(text: string): string | undefined {
  const trimmed = text.trim();
  const percent = trimmed.indexOf('%');
  const address = percent < 0 ? trimmed : trimmed.slice(0, percent);
  const family = isIP(address);
  if (family === 0) return undefined;
  return family === 6 ? address.toLowerCase() : address;
}

/** Lower-cased, trailing dot removed; undefined for text that cannot be a DNS name (empty, spaces, slashes…). */
function normalizeDnsName(text: string): string | undefined {
  const name = text.trim().replace(/\.$/, '').toLowerCase();
  if (name === '' || name.length > 253 || !/^[a-z0-9_*](?:[a-z0-9_.-]*[a-z0-9_])?$/.test(name)) return undefined;
  return name;
}
