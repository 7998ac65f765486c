/**
 * IPv4 and IPv6 addresses and CIDR ranges for the IpAddress and NotIpAddress operators. Written by
 * hand because the core may not use Node's `net` module; addresses are 4 or 16 bytes.
 */

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes.push(value);
  }
  return bytes;
}

function parseIpv6(text: string): number[] | undefined {
  let head = text;
  let tailV4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tailV4 = v4;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  const bytes: number[] = [];
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    const value = parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  if (tailV4.length === 4) bytes.splice(12, 4, ...tailV4);
  return bytes;
}

/** The bytes of an address (4 for IPv4, 16 for IPv6), or undefined when it is not one. */
export function parseIpAddress(text: string): number[] | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

/**
 * A test for membership of a CIDR range (`203.0.113.0/24`, `2001:db8::/32`; a bare address is a
 * range of one). Undefined when the text is not a range.
 */
export function compileCidr(text: string): ((address: string) => boolean) | undefined {
  const slash = text.indexOf('/');
  const network = parseIpAddress(slash < 0 ? text : text.slice(0, slash));
  if (network === undefined) return undefined;
  const bits = network.length * 8;
  const prefixText = slash < 0 ? String(bits) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return undefined;
  const prefix = Number(prefixText);
  return (address) => {
    const candidate = parseIpAddress(address);
    if (candidate?.length !== network.length) return false;
    for (let bit = 0; bit < prefix; bit += 8) {
      const take = Math.min(8, prefix - bit);
      const mask = (0xff << (8 - take)) & 0xff;
      const index = bit / 8;
      if (((candidate[index] ?? 0) & mask) !== ((network[index] ?? 0) & mask)) return false;
    }
    return true;
  };
}
