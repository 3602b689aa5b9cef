import { X509Certificate } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

import { childrenOf, contentOf, DerTag, encodeElement, rawOf, readElement } from './der.js';
import type { SanList } from './san-list.js';

/*
 * Why: users install the local CA in their system trust store. A CA:TRUE certificate without constraints would then
 * be a universal issuer: whoever copies `ca-key.pem` could mint a trusted certificate for any bank. The CA is therefore
 * limited (RFC 5280 §4.2.1.9, §4.2.1.10, enforced by OpenSSL, BoringSSL, Schannel and Secure Transport) to the names
 * the hub answers to and to loopback, private and link-local address ranges, and may issue no sub-CA (pathLen 0).
 */

const BASIC_CONSTRAINTS_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x13]);
const NAME_CONSTRAINTS_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x1e]);
const CRITICAL = Buffer.from([0x01, 0x01, 0xff]);
const DNS_NAME = 0x82;
const IP_ADDRESS = 0x87;
const PERMITTED = 0xa0;

/** Loopback, private (RFC 1918, RFC 4193), link-local and shared (RFC 6598) ranges: LAN addresses move within them. */
export const PERMITTED_RANGES: readonly (readonly [string, number])[] = [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
  ['100.64.0.0', 10],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
];

/** The extensions that constrain the CA: basicConstraints CA:TRUE pathLen 0 and nameConstraints, both critical. */
export function caConstraintExtensions(sans: SanList): Buffer[] {
  const basic = encodeElement(DerTag.Sequence, Buffer.from([0x01, 0x01, 0xff, 0x02, 0x01, 0x00]));
  const dns = ['localhost', ...sans.dnsNames.filter((name) => name !== 'localhost')].map((name) => subtree(encodeElement(DNS_NAME, Buffer.from(name, 'ascii'))));
  const ranges = [...PERMITTED_RANGES];
  for (const ip of sans.ipAddresses) if (!inPermittedRanges(ip)) ranges.push([ip, isIP(ip) === 4 ? 32 : 128]);
  const ips = ranges.map(([address, prefix]) => subtree(encodeElement(IP_ADDRESS, addressAndMask(address, prefix))));
  const nameConstraints = encodeElement(DerTag.Sequence, encodeElement(PERMITTED, Buffer.concat([...dns, ...ips])));
  return [extension(BASIC_CONSTRAINTS_OID, basic), extension(NAME_CONSTRAINTS_OID, nameConstraints)];
}

/** The permitted names of a CA certificate, or undefined when it has no nameConstraints (an unconstrained CA). */
export function permittedNamesOf(caPem: string): { dnsNames: string[]; blockList: BlockList } | undefined {
  const der = Buffer.from(new X509Certificate(caPem).raw);
  const [tbs] = childrenOf(der, readElement(der, 0));
  if (tbs === undefined) return undefined;
  const wrapper = childrenOf(der, tbs).find((child) => child.tag === DerTag.ExtensionsWrapper);
  const [sequence] = wrapper === undefined ? [] : childrenOf(der, wrapper);
  for (const ext of sequence === undefined ? [] : childrenOf(der, sequence)) {
    const [oid, ...rest] = childrenOf(der, ext);
    const value = rest.at(-1);
    if (oid === undefined || value === undefined || !rawOf(der, oid).equals(NAME_CONSTRAINTS_OID)) continue;
    return readPermitted(contentOf(der, value));
  }
  return undefined;
}

/** The SANs a constrained CA may not issue for (empty when it covers them all). */
export function uncoveredSans(permitted: NonNullable<ReturnType<typeof permittedNamesOf>>, sans: SanList): SanList {
  return {
    dnsNames: sans.dnsNames.filter((name) => !permitted.dnsNames.some((base) => name === base || name.endsWith(`.${base}`))),
    ipAddresses: sans.ipAddresses.filter((ip) => !permitted.blockList.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6')),
  };
}

function readPermitted(value: Buffer): { dnsNames: string[]; blockList: BlockList } {
  const dnsNames: string[] = [];
  const blockList = new BlockList();
  const root = readElement(value, 0);
  for (const part of childrenOf(value, root)) {
    if (part.tag !== PERMITTED) continue;
    for (const tree of childrenOf(value, part)) {
      const [base] = childrenOf(value, tree);
      if (base?.tag === DNS_NAME) dnsNames.push(contentOf(value, base).toString('ascii').toLowerCase());
      if (base?.tag === IP_ADDRESS) addRange(blockList, contentOf(value, base));
    }
  }
  return { dnsNames, blockList };
}

function addRange(blockList: BlockList, bytes: Buffer): void {
  const half = bytes.length / 2;
  if (half !== 4 && half !== 16) return;
  const prefix = [...bytes.subarray(half)].reduce((bits, byte) => bits + countBits(byte), 0);
  const address = half === 4 ? [...bytes.subarray(0, 4)].join('.') : ipv6Text(bytes.subarray(0, 16));
  blockList.addSubnet(address, prefix, half === 4 ? 'ipv4' : 'ipv6');
}

function inPermittedRanges(ip: string): boolean {
  const list = new BlockList();
  for (const [address, prefix] of PERMITTED_RANGES) list.addSubnet(address, prefix, isIP(address) === 4 ? 'ipv4' : 'ipv6');
  return list.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
}

/** iPAddress constraint bytes: the address then the mask (RFC 5280 §4.2.1.10). */
function addressAndMask(address: string, prefix: number): Buffer {
  const bytes = isIP(address) === 4 ? Buffer.from(address.split('.').map(Number)) : ipv6Bytes(address);
  const mask = Buffer.alloc(bytes.length);
  for (let bit = 0; bit < prefix; bit += 1) mask[bit >> 3] = (mask[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  return Buffer.concat([bytes.map((byte, index) => byte & (mask[index] ?? 0)), mask]);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, index) => bytes.writeUInt16BE(parseInt(group, 16), index * 2));
  return bytes;
}

function ipv6Text(bytes: Buffer): string {
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2) groups.push(bytes.readUInt16BE(index).toString(16));
  return groups.join(':');
}

function countBits(byte: number): number {
  let count = 0;
  for (let rest = byte; rest > 0; rest >>= 1) count += rest & 1;
  return count;
}

function subtree(base: Buffer): Buffer {
  return encodeElement(DerTag.Sequence, base);
}

function extension(oid: Buffer, value: Buffer): Buffer {
  return encodeElement(DerTag.Sequence, Buffer.concat([oid, CRITICAL, encodeElement(DerTag.OctetString, value)]));
}
