/** The addresses to print for a listener: one for this machine, and one other machines can use. */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

const WILDCARDS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '']);

export interface EndpointAddresses {
  /** Reaches the listener from this machine (loopback for a wildcard listener). */
  readonly local: string;
  /** Reaches the listener from other machines: an address of this machine's first outward interface for a wildcard listener, else the host itself. */
  readonly network: string;
}

export function endpointAddresses(host: string, port: number, interfaces = networkInterfaces()): EndpointAddresses {
  if (!WILDCARDS.has(host)) {
    const url = `http://${urlHost(host)}:${port}`;
    return { local: url, network: url };
  }
  const outward = Object.values(interfaces).flatMap((entries) => entries ?? []).filter((entry) => !entry.internal);
  // An IPv4 address when there is one: `::` listeners accept IPv4 too, and IPv4 is what people type.
  const chosen = outward.find((entry) => entry.family === 'IPv4') ?? outward.find((entry) => isGlobalIpv6(entry));
  const local = `http://${host === '::' && chosen?.family === 'IPv6' ? '[::1]' : '127.0.0.1'}:${port}`;
  return { local, network: chosen === undefined ? local : `http://${urlHost(chosen.address)}:${port}` };
}

function isGlobalIpv6(entry: NetworkInterfaceInfo): boolean {
  return entry.family === 'IPv6' && !entry.address.toLowerCase().startsWith('fe80:');
}

function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
