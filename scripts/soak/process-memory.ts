/** Resident memory of a process tree and the size of a folder, read from /proc and the file system. */
import { readFile, readdir, lstat } from 'node:fs/promises';
import { join } from 'node:path';

export interface ProcessMemory {
  readonly pid: number;
  readonly command: string;
  readonly rssKb: number;
}

/** VmRSS of `root` and every descendant, from /proc. */
export async function treeMemory(root: number): Promise<ProcessMemory[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(Number(entry), ppid);
  }
  const inTree = (pid: number): boolean => {
    for (let current: number | undefined = pid; current !== undefined && current > 1; current = parents.get(current)) {
      if (current === root) return true;
    }
    return false;
  };
  const result: ProcessMemory[] = [];
  for (const pid of [...parents.keys()].filter(inTree).sort((a, b) => a - b)) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const command = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
    result.push({ pid, command, rssKb });
  }
  return result;
}

/** Bytes of every file under `dir` (apparent sizes), following no links. */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await folderBytes(path);
    else if (entry.isFile()) total += (await lstat(path).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
