import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { endpointAddresses } from '../../src/local/endpoint-address.js';

function nic(address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo {
  return { address, family, internal, netmask: '', mac: '00:00:00:00:00:00', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) } as NetworkInterfaceInfo;
}

const INTERFACES = {
  lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
  eth0: [nic('fe80::1', 'IPv6'), nic('2001:db8::5', 'IPv6'), nic('10.0.0.5', 'IPv4')],
};

describe('endpointAddresses', () => {
  it('returns the host itself for a listener on one address', () => {
    // Prepare
    const host = '127.0.0.1';

    // Act
    const addresses = endpointAddresses(host, 4599, INTERFACES);

    // Assess
    expect(addresses).toEqual({ local: 'http://127.0.0.1:4599', network: 'http://127.0.0.1:4599' });
  });

  it('returns an outward IPv4 address for other machines and loopback for this one when listening on 0.0.0.0', () => {
    // Prepare
    const host = '0.0.0.0';

    // Act
    const addresses = endpointAddresses(host, 4599, INTERFACES);

    // Assess
    expect(addresses).toEqual({ local: 'http://127.0.0.1:4599', network: 'http://10.0.0.5:4599' });
  });

  it('returns a global IPv6 address in brackets when a machine has no outward IPv4 address', () => {
    // Prepare
    const interfaces = { lo: INTERFACES.lo, eth0: [nic('fe80::1', 'IPv6'), nic('2001:db8::5', 'IPv6')] };

    // Act
    const addresses = endpointAddresses('::', 4599, interfaces);

    // Assess
    expect(addresses).toEqual({ local: 'http://[::1]:4599', network: 'http://[2001:db8::5]:4599' });
  });

  it('falls back to loopback when there is no outward interface', () => {
    // Prepare
    const interfaces = { lo: INTERFACES.lo };

    // Act
    const addresses = endpointAddresses('0.0.0.0', 4599, interfaces);

    // Assess
    expect(addresses.network).toBe('http://127.0.0.1:4599');
  });
});
