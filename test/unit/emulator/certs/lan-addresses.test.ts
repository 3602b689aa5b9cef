import type { NetworkInterfaceInfo } from 'node:os';

import { describe, expect, it } from 'vitest';

import { listLanAddresses } from '../../../../emulator/certs/lan-addresses.js';

function v4(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: null };
}

function v6(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '00:00:00:00:00:00', internal, cidr: null, scopeid: 0 };
}

describe('listLanAddresses', () => {
  it('returns non-internal IPv4 and IPv6 addresses in interface order', () => {
    const addresses = listLanAddresses({
      lo: [v4('127.0.0.1', true), v6('::1', true)],
      eth0: [v4('192.168.1.20'), v6('2001:DB8::20')],
      wlan0: [v4('10.0.0.5'), v6('fd00::5')],
    });
    expect(addresses).toEqual(['192.168.1.20', '2001:db8::20', '10.0.0.5', 'fd00::5']);
  });

  it('skips IPv6 link-local addresses and strips zone ids', () => {
    const addresses = listLanAddresses({
      eth0: [v6('fe80::1%eth0'), v6('febf::2'), v6('fec0::3%eth0'), v4('169.254.10.10')],
    });
    expect(addresses).toEqual(['fec0::3', '169.254.10.10']);
  });

  it('lists an address shared by two interfaces once and tolerates empty entries', () => {
    expect(listLanAddresses({ a: [v4('10.1.1.1')], b: [v4('10.1.1.1')], c: undefined, d: [] })).toEqual(['10.1.1.1']);
  });

  it('ignores entries whose address is not an IP', () => {
    expect(listLanAddresses({ weird: [v4('not-an-ip'), v4('')] })).toEqual([]);
  });
});
