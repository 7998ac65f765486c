/**
 * Lock files holding their owner's PID. A lock whose owner is gone (a crash, a kill) is taken over,
 * so a dead process never leaves a folder locked.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PidLock {
  release(): Promise<void>;
}

/** Takes the lock at `path`, or returns the PID of the live process that holds it. */
export async function tryPidLock(path: string): Promise<PidLock | number> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => unlink(path).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) return owner;
      await unlink(path).catch(() => undefined);
    }
  }
  throw new Error(`Could not take the lock ${path}.`);
}

/** Waits up to `timeoutMs` for the lock at `path`. */
export async function waitForPidLock(path: string, timeoutMs: number): Promise<PidLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = await tryPidLock(path);
    if (typeof lock !== 'number') return lock;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${path}.`);
    await sleep(50);
  }
}

/** Whether a process with this PID exists (one of another user's counts too). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
