/**
 * The listening sockets of a process tree, read from /proc: every TCP socket in LISTEN state and
 * every bound UDP socket that a process of the tree holds, with the network namespace it lives in
 * and the interfaces that namespace has.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';

export interface ListeningSocket {
  readonly pid: number;
  readonly command: string;
  readonly protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  readonly address: string;
  readonly port: number;
  /** The network namespace (`net:[…]`) the socket belongs to. */
  readonly namespace: string;
  /** The interfaces of that namespace, e.g. `['lo']`. */
  readonly interfaces: readonly string[];
}

const PROTOCOLS = ['tcp', 'tcp6', 'udp', 'udp6'] as const;
const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

/** `root` and all its descendants. */
export async function processTree(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (stat === '') continue;
    parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree].filter((pid) => parents.has(pid));
}

export async function networkNamespaceOf(pid: number): Promise<string> {
  return readlink(`/proc/${pid}/ns/net`);
}

/** Every listening socket held by `root` or a descendant. */
export async function listeningSockets(root: number): Promise<ListeningSocket[]> {
  const sockets: ListeningSocket[] = [];
  for (const pid of await processTree(root)) {
    const inodes = await socketInodes(pid);
    if (inodes.size === 0) continue;
    const command = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
    const namespace = await networkNamespaceOf(pid);
    const interfaces = await interfacesOf(pid);
    for (const protocol of PROTOCOLS) {
      const table = await readFile(`/proc/${pid}/net/${protocol}`, 'utf8').catch(() => '');
      for (const line of table.split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        const [, local, , state] = fields;
        const inode = fields[9];
        if (local === undefined || inode === undefined || !inodes.has(inode)) continue;
        const listening = protocol.startsWith('tcp') ? state === TCP_LISTEN : state === UDP_UNCONNECTED;
        if (!listening) continue;
        const [hexAddress = '', hexPort = '0'] = local.split(':');
        sockets.push({ pid, command, protocol, address: decodeAddress(hexAddress), port: Number.parseInt(hexPort, 16), namespace, interfaces });
      }
    }
  }
  return sockets;
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined) inodes.add(inode);
  }
  return inodes;
}

async function interfacesOf(pid: number): Promise<string[]> {
  const dev = await readFile(`/proc/${pid}/net/dev`, 'utf8').catch(() => '');
  return dev.split('\n').slice(2).map((line) => line.split(':')[0]?.trim() ?? '').filter((name) => name !== '');
}

/** /proc's hex form: IPv4 as one little-endian word, IPv6 as four. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => (word.match(/../g) ?? []).reverse().map((byte) => Number.parseInt(byte, 16)));
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups = Array.from({ length: 8 }, (_, index) => (((bytes[2 * index] ?? 0) << 8) | (bytes[2 * index + 1] ?? 0)).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}
