/**
 * The data folder holds the token, its PINs, the database and the root credentials, so it is
 * trusted only when no one but the service's user could have prepared or can change anything in
 * it: the folder and everything in it must be owned by that user, be no symlink, and grant the
 * group and others nothing. Once that holds, no other user can add or replace an entry, so files
 * the service then writes cannot be redirected; they are still written with O_EXCL | O_NOFOLLOW
 * through a temporary name and renamed into place (`writePrivateFile`).
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { dirname, join } from 'node:path';

/** Why a data folder is refused; the message names the path and the fix. */
export class UntrustedDataDirError extends Error {
  override readonly name = 'UntrustedDataDirError';
}

export interface DataDirOptions {
  /** The user that must own everything; the effective user by default. */
  readonly uid?: number;
}

/**
 * Creates the data folder (mode 0700) when it does not exist, else checks it and everything in it.
 * Returns whether it was created. Throws `UntrustedDataDirError` for a folder that is not trusted.
 */
export async function prepareDataDir(dataDir: string, options: DataDirOptions = {}): Promise<{ readonly created: boolean }> {
  const uid = options.uid ?? effectiveUid();
  if ((await lstatOrUndefined(dataDir)) === undefined) {
    await mkdir(dirname(dataDir), { recursive: true });
    try {
      // Not recursive: if someone else creates it first, mkdir fails and the checks below judge theirs.
      await mkdir(dataDir, { mode: 0o700 });
      await assertTrusted(dataDir, uid);
      return { created: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  await assertTrusted(dataDir, uid);
  return { created: false };
}

/** Whether anything (a folder, a file, a link) is at `dataDir`. */
export async function dataDirExists(dataDir: string): Promise<boolean> {
  return (await lstatOrUndefined(dataDir)) !== undefined;
}

/** Checks the folder and, recursively, every entry in it. */
export async function assertTrusted(dataDir: string, uid: number = effectiveUid()): Promise<void> {
  const root = await lstat(dataDir);
  if (!root.isSymbolicLink() && !root.isDirectory()) throw untrusted(dataDir, 'is not a folder');
  await checkEntry(dataDir, root, uid, dataDir);
  const pending = [dataDir];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const stats = await lstat(path);
      await checkEntry(path, stats, uid, dataDir);
      if (stats.isDirectory()) pending.push(path);
    }
  }
}

async function checkEntry(path: string, stats: Stats, uid: number, dataDir: string): Promise<void> {
  /* Precondition: nothing in the data folder is a symlink (it could point anywhere). */
  if (stats.isSymbolicLink()) throw untrusted(path, 'is a symbolic link', dataDir);
  /* Precondition: the service's user owns everything in the data folder. */
  if (stats.uid !== uid) throw untrusted(path, `is owned by user ${stats.uid}, not by this service's user ${uid}`, dataDir);
  /* Precondition: the group and others have no access to anything in the data folder. */
  if ((stats.mode & 0o077) !== 0) {
    throw untrusted(path, `grants the group or others access (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')})`, dataDir);
  }
}

function untrusted(path: string, problem: string, dataDir = path): UntrustedDataDirError {
  return new UntrustedDataDirError(
    `Refusing the data folder ${dataDir}: ${path} ${problem}. Another user could have prepared it to read the keys and credentials. ` +
      `Use a folder only this user can reach (or a new --data-dir); if it is yours, remove links and run chmod -R go= on it.`,
  );
}

/**
 * Writes `data` to `path` (mode 0600) without following links: a temporary file beside it opened
 * with O_CREAT | O_EXCL | O_NOFOLLOW, synced, then renamed over `path`.
 */
export async function writePrivateFile(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(temporary, flags, 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
}

/** Reads a file of the data folder, refusing to follow a link. Undefined when it does not exist. */
export async function readPrivateFile(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function effectiveUid(): number {
  return process.geteuid?.() ?? 0;
}
