/**
 * A SoftHSM token for local mode and tests: one token directory per data directory, created on
 * first run with random PINs that are kept in `token.json` (owner-only) and reused afterwards.
 * The token is initialised through PKCS#11 (C_InitToken, C_InitPIN), never with softhsm2-util,
 * whose command line would show the PINs to every user of the machine.
 */
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join, resolve } from 'node:path';
import { isModuleLoaded } from '../adapters/pkcs11/module-registry.js';
import { Pkcs11KeyMaterial } from '../adapters/pkcs11/pkcs11-key-material.js';
import { ensureUserPin, initialiseToken } from '../adapters/pkcs11/token-init.js';
import { waitForPidLock } from './pid-lock.js';
import type { Pkcs11Config } from '../adapters/pkcs11/pkcs11-key-material.js';

export const DEFAULT_SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const TOKEN_LABEL = 'kms';
const LOCK_TIMEOUT_MS = 60_000;
const INSTALL_HINT = 'Install the Debian package softhsm2 (apt-get install softhsm2).';

export interface SoftHsmTokenOptions {
  /** Directory holding `softhsm2.conf`, `token.json` and the token files. */
  readonly dataDir: string;
  /** PKCS#11 module; defaults to `$PKCS11_MODULE`, then the Debian SoftHSM path. */
  readonly modulePath?: string;
}

export type SoftHsmTokenConfig = Pkcs11Config & { readonly softhsmConfPath: string };

interface StoredToken {
  readonly tokenLabel: string;
  readonly pin: string;
  readonly soPin: string;
}

function isStoredToken(value: unknown): value is StoredToken {
  if (typeof value !== 'object' || value === null) return false;
  const { tokenLabel, pin, soPin } = value as Record<string, unknown>;
  return typeof tokenLabel === 'string' && typeof pin === 'string' && typeof soPin === 'string';
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

async function readStoredToken(path: string): Promise<StoredToken | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (!isStoredToken(parsed)) throw new Error(`${path} is not a valid token file.`);
  return parsed;
}

/** Runs `task` while holding `<dir>/.lock`. */
async function withDirectoryLock<T>(dir: string, task: () => Promise<T>): Promise<T> {
  const lock = await waitForPidLock(join(dir, '.lock'), LOCK_TIMEOUT_MS);
  try {
    return await task();
  } finally {
    await lock.release();
  }
}

/** Creates a token the first time, sets `SOFTHSM2_CONF` for this process, and returns its config. */
export async function ensureSoftHsmToken(options: SoftHsmTokenOptions): Promise<SoftHsmTokenConfig> {
  const modulePath = options.modulePath ?? process.env['PKCS11_MODULE'] ?? DEFAULT_SOFTHSM_MODULE;
  if (!(await exists(modulePath))) {
    throw new Error(`The PKCS#11 module ${modulePath} does not exist. ${INSTALL_HINT}`);
  }
  const dataDir = resolve(options.dataDir);
  const tokenDir = join(dataDir, 'tokens');
  const confPath = join(dataDir, 'softhsm2.conf');
  const tokenPath = join(dataDir, 'token.json');

  // SoftHSM reads its configuration once, in C_Initialize; a second data directory in the same
  // process would silently keep using the first one.
  const current = process.env['SOFTHSM2_CONF'];
  if (isModuleLoaded(modulePath) && current !== undefined && resolve(current) !== confPath) {
    throw new Error(`SoftHSM is already in use in this process with ${current}; one data directory per process.`);
  }

  await mkdir(tokenDir, { recursive: true, mode: 0o700 });
  // Replaced atomically: another process starting now may be reading it in C_Initialize.
  const staging = `${confPath}.${process.pid}`;
  await writeFile(staging, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`, { mode: 0o600 });
  await rename(staging, confPath);
  process.env['SOFTHSM2_CONF'] = confPath;

  // Serialised across processes: softhsm2-util must run once, and SoftHSM's file store may hide a
  // root key created concurrently by another process, so the first opener creates it under the lock.
  return withDirectoryLock(dataDir, async () => {
    // The PINs are written aside first and renamed once the token exists, so a crash in between
    // leaves a pending file that the next run adopts instead of a token nobody can log in to.
    const pendingPath = `${tokenPath}.pending`;
    const tokenDirUsed = (await readdir(tokenDir)).length > 0;
    if (tokenDirUsed && !(await exists(tokenPath)) && (await exists(pendingPath))) {
      await rename(pendingPath, tokenPath);
    }
    let token = await readStoredToken(tokenPath);
    if (token === undefined) {
      if (tokenDirUsed) throw new Error(`${tokenDir} holds a token but ${tokenPath} with its PINs is missing.`);
      token = { tokenLabel: TOKEN_LABEL, pin: randomBytes(16).toString('hex'), soPin: randomBytes(16).toString('hex') };
      await writeFile(pendingPath, JSON.stringify(token, null, 2), { mode: 0o600 });
      try {
        initialiseToken(modulePath, token);
      } catch (error) {
        // Nothing may be left half made: a token without its PIN file could never be logged in to.
        if ((await readdir(tokenDir)).length === 0) await rm(pendingPath, { force: true });
        throw error;
      }
      await rename(pendingPath, tokenPath);
    }
    // A set-up interrupted between C_InitToken and C_InitPIN left a token without a user PIN.
    ensureUserPin(modulePath, token);
    await chmod(tokenPath, 0o600);
    const config: SoftHsmTokenConfig = { modulePath, tokenLabel: token.tokenLabel, pin: token.pin, softhsmConfPath: confPath };
    await (await Pkcs11KeyMaterial.open(config)).close();
    return config;
  });
}
