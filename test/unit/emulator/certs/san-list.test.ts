import { describe, expect, it } from 'vitest';

import { buildSanList, isEmptySanList, mergeSanLists } from '../../../../emulator/certs/san-list.js';

describe('buildSanList', () => {
  it('always has localhost, 127.0.0.1 and ::1, then the machine name and LAN addresses', () => {
    expect(buildSanList({ machineHostName: 'My-Laptop', lanAddresses: ['192.168.1.20', 'FD00::5'] })).toEqual({
      dnsNames: ['localhost', 'my-laptop'],
      ipAddresses: ['127.0.0.1', '::1', '192.168.1.20', 'fd00::5'],
    });
  });

  it('moves IP addresses given as host names to the IP list and drops what cannot be a name', () => {
    const list = buildSanList({
      machineHostName: '',
      lanAddresses: [],
      hostNames: ['emulator.local.', '10.0.0.9', 'has space', 'a/b', '', 'LOCALHOST', '::1'],
      ipAddresses: ['10.0.0.9', 'fe80::1%eth0', 'nope'],
    });
    expect(list).toEqual({ dnsNames: ['localhost', 'emulator.local'], ipAddresses: ['127.0.0.1', '::1', '10.0.0.9', 'fe80::1'] });
  });
});

describe('SAN list helpers', () => {
  it('merges without duplicates and detects empty lists', () => {
    const merged = mergeSanLists(
      { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
      { dnsNames: ['localhost', 'x'], ipAddresses: ['10.0.0.1'] },
    );
    expect(merged).toEqual({ dnsNames: ['localhost', 'x'], ipAddresses: ['127.0.0.1', '10.0.0.1'] });
    expect(isEmptySanList({ dnsNames: [], ipAddresses: [] })).toBe(true);
    expect(isEmptySanList(merged)).toBe(false);
  });
});
