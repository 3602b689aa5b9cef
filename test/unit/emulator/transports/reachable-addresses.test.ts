import { describe, expect, it } from 'vitest';

import { reachableAddresses } from '../../../../emulator/transports/reachable-addresses.js';

const interfaces = {
  lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
  eth0: [{ address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.1.20/24' }],
};

describe('where devices can reach the hub', () => {
  it('lists the LAN addresses only when the hub listens on every interface', () => {
    expect(reachableAddresses('::', 'localhost', interfaces)).toEqual(['localhost', '127.0.0.1', '192.168.1.20']);
    expect(reachableAddresses('0.0.0.0', 'localhost', interfaces)).toEqual(['localhost', '127.0.0.1', '192.168.1.20']);
    expect(reachableAddresses('127.0.0.1', 'localhost', interfaces)).toEqual(['localhost', '127.0.0.1']);
    expect(reachableAddresses('192.168.1.20', 'localhost', interfaces)).toEqual(['192.168.1.20']);
  });
});
